//! A consistent snapshot of the manifests folder: the files are read one by one, so a `git
//! pull` caught half-way could mix old and new files. So every file is stamped (device, inode,
//! size, modification time) by a scan before and by a scan after reading, and by the reading
//! itself; the bytes are kept only when all three agree, else the folder is read again, a few
//! times with a short pause, then refused as `kept changing while being read`.
//!
//! The file system is behind [`View`], so the agreement logic is tested without one.

use std::time::Duration;

use crate::diag::{self, Problem, Problems, Stamp};

use super::discover::{self, Found};

/// Passes before giving up, and the pause between two.
pub(crate) const PASSES: usize = 5;
pub(crate) const PAUSE: Duration = Duration::from_millis(100);

/// One file's bytes and the stamp of the file opened, or why it could not be read.
type Read = Result<(Vec<u8>, Stamp), Problem>;

/// What the snapshot needs of a file system.
pub(crate) trait View {
    /// The manifest files as a scan finds them, with their stamps.
    fn scan(&self) -> Result<Vec<Found>, Problems>;
    /// One file's bytes, and the stamp of the file that was opened.
    fn read(&self, found: &Found) -> Read;
}

/// The real file system below a `manifests` path.
pub(crate) struct Disk<'a>(pub &'a std::path::Path);

impl View for Disk<'_> {
    fn scan(&self) -> Result<Vec<Found>, Problems> {
        discover::scan(self.0)
    }

    fn read(&self, found: &Found) -> Result<(Vec<u8>, Stamp), Problem> {
        diag::read_input_bytes(&found.real, &diag::display_path(&found.logical))
    }
}

/// One file of a consistent snapshot: where it is (as shown to people) and its bytes, or why
/// they could not be read.
#[derive(Debug, PartialEq)]
pub(crate) struct File {
    pub shown: String,
    pub bytes: Result<Vec<u8>, Problem>,
}

/// Reads every file until a pass agrees with itself; `shown` names the folder in the error.
pub(crate) fn take(
    view: &impl View,
    shown: &str,
    passes: usize,
    pause: Duration,
) -> Result<Vec<File>, Problems> {
    for pass in 1..=passes {
        let before = view.scan();
        let read: Vec<(Found, Read)> = match &before {
            Ok(found) => found.iter().map(|f| (f.clone(), view.read(f))).collect(),
            Err(_) => Vec::new(),
        };
        let after = view.scan();
        // A file that could not be read has no stamp of its own; the scans speak for it.
        let opened_as_found = read
            .iter()
            .all(|(f, r)| r.as_ref().is_err() || r.as_ref().is_ok_and(|(_, s)| *s == f.stamp));
        if before == after && opened_as_found {
            before?;
            return Ok(read
                .into_iter()
                .map(|(f, r)| File {
                    shown: diag::display_path(&f.logical),
                    bytes: r.map(|(bytes, _)| bytes),
                })
                .collect());
        }
        if pass < passes {
            std::thread::sleep(pause);
        }
    }
    Err(Problems(vec![Problem {
        origin: None,
        message: format!(
            "manifests {shown} kept changing while being read ({passes} passes); try again once it is still"
        ),
    }]))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::PathBuf;

    use super::*;

    /// A file system that changes as it is looked at: `world(t)` says which files exist at the
    /// t-th look (each scan or read is one look), as (name, version, content).
    struct Timeline {
        t: Cell<usize>,
        world: fn(usize) -> Vec<(&'static str, i128, &'static str)>,
    }

    impl Timeline {
        fn new(world: fn(usize) -> Vec<(&'static str, i128, &'static str)>) -> Self {
            Timeline {
                t: Cell::new(0),
                world,
            }
        }

        fn now(&self) -> Vec<(&'static str, i128, &'static str)> {
            let t = self.t.get();
            self.t.set(t + 1);
            (self.world)(t)
        }

        fn looks(&self) -> usize {
            self.t.get()
        }
    }

    fn stamp(version: i128, content: &str) -> Stamp {
        Stamp {
            dev: 1,
            ino: 7,
            size: content.len() as u64,
            mtime: version,
        }
    }

    impl View for Timeline {
        fn scan(&self) -> Result<Vec<Found>, Problems> {
            let files = self.now();
            if files.iter().any(|(name, _, _)| *name == "broken") {
                return Err(Problems(vec![Problem::in_file(
                    "users/broken",
                    "broken link",
                )]));
            }
            Ok(files
                .into_iter()
                .map(|(name, version, content)| Found {
                    real: PathBuf::from(name),
                    logical: PathBuf::from(name),
                    stamp: stamp(version, content),
                })
                .collect())
        }

        fn read(&self, found: &Found) -> Result<(Vec<u8>, Stamp), Problem> {
            let name = found.logical.to_str().unwrap();
            match self.now().into_iter().find(|(n, _, _)| *n == name) {
                Some((_, version, content)) => {
                    Ok((content.as_bytes().to_vec(), stamp(version, content)))
                }
                None => Err(Problem::in_file(name, "entity not found")),
            }
        }
    }

    fn contents(files: &[File]) -> Vec<(&str, &str)> {
        files
            .iter()
            .map(|f| {
                let bytes = f.bytes.as_deref().unwrap_or(b"<error>");
                (f.shown.as_str(), std::str::from_utf8(bytes).unwrap())
            })
            .collect()
    }

    fn take_now(view: &Timeline) -> Result<Vec<File>, Problems> {
        take(view, "users", PASSES, Duration::ZERO)
    }

    #[test]
    fn a_still_folder_is_read_in_one_pass() {
        let view = Timeline::new(|_| vec![("a", 1, "A"), ("b", 1, "B")]);
        let files = take_now(&view).unwrap();
        assert_eq!(contents(&files), [("a", "A"), ("b", "B")]);
        // Scan, two reads, scan.
        assert_eq!(view.looks(), 4);
    }

    #[test]
    fn a_pull_caught_half_way_is_read_again() {
        // `a` is rewritten while `b` is read (look 2): the after-scan sees it.
        let view = Timeline::new(|t| match t {
            0..=1 => vec![("a", 1, "old A"), ("b", 1, "old B")],
            2 => vec![("a", 2, "new A"), ("b", 1, "old B")],
            _ => vec![("a", 2, "new A"), ("b", 2, "new B")],
        });
        let files = take_now(&view).unwrap();
        assert_eq!(contents(&files), [("a", "new A"), ("b", "new B")]);
        assert_eq!(view.looks(), 8);
    }

    #[test]
    fn a_file_replaced_between_the_scan_and_its_read_and_back_is_read_again() {
        // Look 1 (the read of `a`) opens another version than both scans saw.
        let view = Timeline::new(|t| match t {
            1 => vec![("a", 9, "in between")],
            _ => vec![("a", 1, "A")],
        });
        let files = take_now(&view).unwrap();
        assert_eq!(contents(&files), [("a", "A")]);
        assert_eq!(view.looks(), 6);
    }

    #[test]
    fn a_file_removed_while_reading_is_read_again_not_reported() {
        let view = Timeline::new(|t| match t {
            0 => vec![("a", 1, "A"), ("b", 1, "B")],
            _ => vec![("a", 1, "A")],
        });
        let files = take_now(&view).unwrap();
        assert_eq!(contents(&files), [("a", "A")]);
    }

    #[test]
    fn a_folder_that_never_settles_is_refused() {
        let view = Timeline::new(|t| vec![("a", t as i128, "A")]);
        let e = take_now(&view).unwrap_err();
        assert_eq!(
            e.to_string(),
            "manifests users kept changing while being read (5 passes); try again once it is still"
        );
        assert_eq!(view.looks(), 5 * 3);
    }

    #[test]
    fn problems_that_stay_are_reported_as_they_are() {
        let view = Timeline::new(|_| vec![("a", 1, "A"), ("broken", 1, "")]);
        let e = take_now(&view).unwrap_err();
        assert_eq!(e.to_string(), "users/broken:1:1: broken link");
        // A broken link that a swap repairs is read again, not reported.
        let view = Timeline::new(|t| match t {
            0 => vec![("broken", 1, "")],
            _ => vec![("a", 1, "A")],
        });
        assert_eq!(contents(&take_now(&view).unwrap()), [("a", "A")]);
    }
}
