//! The colour policy's output side: ANSI styles, or none. The caller decides (from `--color`,
//! the terminal and `NO_COLOR`); nothing here tests for a terminal. Painting never changes the
//! text, so coloured and plain output read the same.

/// ANSI styles, or none.
#[derive(Clone, Copy, Debug)]
pub struct Styles {
    on: bool,
}

impl Styles {
    pub fn colored(on: bool) -> Self {
        Styles { on }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn add(&self, s: &str) -> String {
        self.paint("32", s)
    }
    pub(crate) fn del(&self, s: &str) -> String {
        self.paint("31", s)
    }
    pub(crate) fn chg(&self, s: &str) -> String {
        self.paint("33", s)
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}
