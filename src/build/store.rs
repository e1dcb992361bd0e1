//! The build's events on disk while the days are made: a year of reports is 100,000
//! events (40 MB with their sentences), and a day's files need only the events of its
//! recent window, so the events go to a temporary file once the ledger is built and each
//! day reads back its own. What stays in memory is each event's date and place in the
//! file (12 bytes an event).
//!
//! The file is unnamed (`tempfile::tempfile_in`, in `OUT/.eventmap/`, which the build
//! can write, rather than `TMPDIR`, which it may not): the system removes it when the
//! build ends, however it ends. Its lines are [`SerialEvent`]s, as in the extraction
//! cache, so an event reads back field for field as it was.

use crate::extract::{serial::SerialEvent, Event};
use chrono::NaiveDate;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// The events, in their order, on disk.
pub struct EventStore {
    file: Mutex<File>,
    /// Where each event's line starts, and where the last one ends.
    offsets: Vec<u64>,
    dates: Vec<NaiveDate>,
}

impl EventStore {
    /// Writes `events` (which it frees as it goes) to a temporary file in `dir`.
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be written.
    pub fn new(events: Vec<Event>, dir: &std::path::Path) -> std::io::Result<EventStore> {
        let mut offsets = Vec::with_capacity(events.len() + 1);
        let mut dates = Vec::with_capacity(events.len());
        let mut out = BufWriter::with_capacity(1 << 16, tempfile::tempfile_in(dir)?);
        let mut line = Vec::new();
        let mut offset = 0;
        for event in events {
            offsets.push(offset);
            dates.push(event.date);
            line.clear();
            serde_json::to_writer(&mut line, &SerialEvent::from(event)).map_err(std::io::Error::other)?;
            line.push(b'\n');
            out.write_all(&line)?;
            offset += line.len() as u64;
        }
        offsets.push(offset);
        let file = out.into_inner().map_err(|e| e.into_error())?;
        Ok(EventStore { file: Mutex::new(file), offsets, dates })
    }

    /// Each event's date, in order.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }

    /// The events at `indices` (ascending), read back; consecutive ones in one read.
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be read.
    pub fn get(&self, indices: impl IntoIterator<Item = usize>) -> std::io::Result<Vec<Event>> {
        let mut events = Vec::new();
        let mut indices = indices.into_iter().peekable();
        while let Some(first) = indices.next() {
            let mut last = first;
            while indices.peek() == Some(&(last + 1)) {
                last += 1;
                indices.next();
            }
            let (start, end) = (self.offsets[first], self.offsets[last + 1]);
            let mut bytes = vec![0; usize::try_from(end - start).map_err(std::io::Error::other)?];
            {
                let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                file.seek(SeekFrom::Start(start))?;
                file.read_exact(&mut bytes)?;
            }
            for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let event: SerialEvent = serde_json::from_slice(line).map_err(std::io::Error::other)?;
                events.push(Event::from(event));
            }
        }
        Ok(events)
    }

    /// Calls `f` on every event in order, read back about a megabyte at a time (the
    /// file is not held meanwhile: days are read from it at the same time).
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be read, or `f` fails.
    pub fn for_each(&self, mut f: impl FnMut(Event) -> std::io::Result<()>) -> std::io::Result<()> {
        let mut first = 0;
        while first < self.dates.len() {
            let mut end = first + 1;
            while end < self.dates.len() && self.offsets[end + 1] - self.offsets[first] <= 1 << 20 {
                end += 1;
            }
            for event in self.get(first..end)? {
                f(event)?;
            }
            first = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(day: u32, id: &str) -> Event {
        crate::extract::test_event(day, "a", id, &format!("Fighting, \"quoted\"\tand all, on the {day}th."))
    }

    #[test]
    fn events_read_back_as_they_were() {
        let events: Vec<Event> = (1..=9).map(|d| event(d, &format!("e{d}"))).collect();
        let dir = tempfile::tempdir().unwrap();
        let store = EventStore::new(events.clone(), dir.path()).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "unnamed");
        assert_eq!(store.dates(), events.iter().map(|e| e.date).collect::<Vec<_>>());
        assert!(store.get([0, 1, 2, 5, 7, 8]).unwrap() == [0, 1, 2, 5, 7, 8].map(|i| events[i].clone()));
        assert!(store.get([]).unwrap().is_empty());
        let mut all = Vec::new();
        store
            .for_each(|e| {
                all.push(e);
                Ok(())
            })
            .unwrap();
        assert!(all == events);
        assert!(store.get([4]).unwrap() == [events[4].clone()], "after reading everything");
    }
}
