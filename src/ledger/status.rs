//! Who holds a place.

use std::fmt;

/// Control status of a place or province on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Taliban,
    Government,
    Resistance,
    /// Fighting reported after the last change of hands, within the contested window.
    Contested,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Taliban, Status::Government, Status::Resistance, Status::Contested, Status::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Taliban => "taliban",
            Status::Government => "government",
            Status::Resistance => "resistance",
            Status::Contested => "contested",
            Status::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s.trim().to_ascii_lowercase())
    }

    /// Legend label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Taliban => "Taliban",
            Status::Government => "Government",
            Status::Resistance => "Resistance",
            Status::Contested => "Contested",
            Status::Unknown => "No reports",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
