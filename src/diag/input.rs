//! Reading one of the user's files safely: only a regular file, never blocking on a FIFO or a
//! device, and never more than a cap of bytes, counted on the bytes read rather than trusted
//! from metadata (a file may grow while it is read, and `/dev/zero` says it is empty).
//!
//! Knows nothing of what the bytes mean; returns them with the file's [`Stamp`] and mode.

use std::fs::{FileType, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// What a file was when it was looked at: its identity (device, inode) and its version (size,
/// modification time). Two equal stamps mean, as far as the file system can tell, the same
/// bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Stamp {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub mtime: i128,
}

impl Stamp {
    pub(crate) fn of(meta: &Metadata) -> Stamp {
        Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        }
    }
}

/// A file's bytes as read, and what it was when opened.
#[derive(Debug)]
pub(crate) struct Contents {
    pub bytes: Vec<u8>,
    pub stamp: Stamp,
    /// The permission bits (`st_mode & 0o7777`).
    pub mode: u32,
}

/// Why a file was not read. Messages are lowercase fragments naming no content.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum ReadError {
    #[error("{0}")]
    Io(String),
    #[error("not a regular file ({0}); roster reads only regular files")]
    NotRegular(&'static str),
    /// Over the cap: by the size the file claims when that is over already, else by the
    /// bytes read (a file that grew, or one that claims less than it holds).
    #[error("{}", too_large(*size, limit))]
    TooLarge { size: Option<u64>, limit: String },
}

fn too_large(size: Option<u64>, limit: &str) -> String {
    match size {
        Some(n) => format!("file is {n} bytes, over the {limit} limit"),
        None => format!("file is larger than the {limit} limit"),
    }
}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e.kind().to_string().to_lowercase())
    }
}

/// What kind of thing a non-regular file is, as a person would say it.
pub(crate) fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a fifo"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

/// A size as the limits are written: `64 MiB`, `64 KiB`, else bytes.
pub(crate) fn show_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b.is_multiple_of(1 << 20) => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b.is_multiple_of(1 << 10) => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Reads the regular file at `path` (following links), at most `cap` bytes.
///
/// The target's metadata is checked before opening, so a FIFO or a device is never opened;
/// the open is non-blocking and without a controlling terminal, and the opened file is checked
/// again, so one swapped in between is refused too.
pub(crate) fn read_regular(path: &Path, cap: u64) -> Result<Contents, ReadError> {
    let before = std::fs::metadata(path)?;
    if !before.file_type().is_file() {
        return Err(ReadError::NotRegular(kind(before.file_type())));
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(kind(meta.file_type())));
    }
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            size: Some(meta.len()),
            limit: show_size(cap),
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            size: None,
            limit: show_size(cap),
        });
    }
    Ok(Contents {
        bytes,
        stamp: Stamp::of(&meta),
        mode: meta.mode() & 0o7777,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_with_its_stamp_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, "hello").unwrap();
        let r = read_regular(&p, 5).unwrap();
        assert_eq!(r.bytes, b"hello");
        assert_eq!(r.stamp, Stamp::of(&std::fs::metadata(&p).unwrap()));
        assert_eq!(r.stamp.size, 5);
        assert_eq!(
            read_regular(&p, 4).unwrap_err().to_string(),
            "file is 5 bytes, over the 4 bytes limit"
        );
    }

    #[test]
    fn devices_fifos_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let link = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        for (path, why) in [
            (fifo.as_path(), "a fifo"),
            (link.as_path(), "a character device"),
            (Path::new("/dev/null"), "a character device"),
            (dir.path(), "a folder"),
        ] {
            assert_eq!(
                read_regular(path, 1 << 20).unwrap_err(),
                ReadError::NotRegular(why),
                "{}",
                path.display()
            );
        }
        assert_eq!(
            read_regular(&dir.path().join("missing"), 1).unwrap_err(),
            ReadError::Io("entity not found".into())
        );
    }

    #[test]
    fn the_cap_counts_the_bytes_read_not_the_size_the_metadata_claims() {
        // /proc files claim to be empty regular files and hold hundreds of bytes.
        let p = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(p).unwrap().len(), 0);
        assert_eq!(
            read_regular(p, 16).unwrap_err().to_string(),
            "file is larger than the 16 bytes limit"
        );
        assert!(read_regular(p, 1 << 20).unwrap().bytes.len() > 16);
    }

    #[test]
    fn sizes_read_as_the_limits_are_written() {
        assert_eq!(show_size(64 << 20), "64 MiB");
        assert_eq!(show_size(64 << 10), "64 KiB");
        assert_eq!(show_size(1000), "1000 bytes");
    }
}
