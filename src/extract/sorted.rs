//! Events in the order of the events CSV (by date, article, id), however many there are,
//! in bounded memory: an external merge sort. Events are held up to a budget of bytes;
//! when it is reached they are sorted and spilled as a run to a temporary file, and at
//! the end the runs and what is still held are merged as they are read back. Under the
//! budget nothing touches the disk. A run is JSON Lines of [`SerialEvent`], the form the
//! build's extraction cache already writes.
//!
//! The temporary files are unnamed (`tempfile::tempfile`, in the system's temporary
//! folder, `TMPDIR`): the system removes them when they are closed, so nothing is left
//! behind on an error, a panic or a kill.
//!
//! The sort is stable, as [`record::sort`] is: events equal in all three keys come out in
//! the order they were pushed (a run holds events pushed before the next run's, and a tie
//! goes to the earlier run).

use super::{record, serial::SerialEvent, Event};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, Write};

/// Bytes of events held before a run is spilled, unless told otherwise: a year of
/// reports (100,000 events, about 40 MB held) is five runs.
pub const DEFAULT_BUDGET: usize = 8 << 20;

/// Runs merged at once at most. When a spill would make more, the runs so far are first
/// merged into one, so that the open files stay few whatever the input (each run is an
/// open file until the end).
const MAX_RUNS: usize = 64;

/// A temporary file that could not be written or read back. The cause is the error's
/// source (not repeated in its message: `{:#}` prints the chain).
#[derive(Debug, thiserror::Error)]
pub enum SortError {
    #[error("temporary file for sorting events")]
    Io(#[from] std::io::Error),
    #[error("temporary file for sorting events: unreadable")]
    Json(#[from] serde_json::Error),
}

/// Takes events in any order; [`Sorter::finish`] gives them back sorted.
pub struct Sorter {
    budget: usize,
    held: Vec<Event>,
    /// An estimate of what `held` takes (see [`footprint`]).
    held_bytes: usize,
    /// Spilled runs, each sorted, in the order they were spilled.
    runs: Vec<File>,
    spilled: usize,
}

impl Sorter {
    /// A sorter that holds about `budget` bytes of events before it spills a run (at
    /// least one event is held, whatever the budget).
    pub fn new(budget: usize) -> Sorter {
        Sorter { budget, held: Vec::new(), held_bytes: 0, runs: Vec::new(), spilled: 0 }
    }

    /// Adds an event, spilling a run if the budget is reached.
    ///
    /// # Errors
    ///
    /// When the run cannot be written.
    pub fn push(&mut self, event: Event) -> Result<(), SortError> {
        self.held_bytes += footprint(&event);
        self.held.push(event);
        if self.held_bytes >= self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// How many runs were spilled so far (runs merged into one count separately).
    pub fn spilled(&self) -> usize {
        self.spilled
    }

    fn spill(&mut self) -> Result<(), SortError> {
        if self.runs.len() == MAX_RUNS {
            let runs = self.runs.drain(..).map(Source::run).collect::<Result<Vec<_>, _>>()?;
            let merged = write_run(Sorted::merge(runs)?)?;
            self.runs.push(merged);
        }
        record::sort(&mut self.held);
        // `drain` keeps the vector's capacity: the next run fills it without growing it.
        let run = write_run(self.held.drain(..).map(Ok))?;
        self.runs.push(run);
        self.held_bytes = 0;
        self.spilled += 1;
        Ok(())
    }

    /// Every event pushed, sorted, read back as they are merged.
    ///
    /// # Errors
    ///
    /// When a run cannot be read back.
    pub fn finish(mut self) -> Result<Sorted, SortError> {
        record::sort(&mut self.held);
        let mut sources = self.runs.into_iter().map(Source::run).collect::<Result<Vec<_>, _>>()?;
        sources.push(Source::Held(self.held.into_iter()));
        Sorted::merge(sources)
    }
}

/// About what an event takes in memory: the struct and its strings.
fn footprint(event: &Event) -> usize {
    std::mem::size_of::<Event>() + event.id.capacity() + event.article.capacity() + event.sentence.capacity()
}

/// Writes sorted events as a run and returns the file, rewound.
fn write_run(events: impl Iterator<Item = Result<Event, SortError>>) -> Result<File, SortError> {
    let mut out = BufWriter::with_capacity(1 << 16, tempfile::tempfile()?);
    for event in events {
        serde_json::to_writer(&mut out, &SerialEvent::from(event?))?;
        out.write_all(b"\n")?;
    }
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.rewind()?;
    Ok(file)
}

/// Where the merge takes events from: a run on disk, or the events still held.
enum Source {
    Run(serde_json::StreamDeserializer<'static, serde_json::de::IoRead<BufReader<File>>, SerialEvent>),
    Held(std::vec::IntoIter<Event>),
}

impl Source {
    fn run(file: File) -> Result<Source, SortError> {
        let reader = BufReader::with_capacity(1 << 16, file);
        Ok(Source::Run(serde_json::Deserializer::from_reader(reader).into_iter()))
    }

    fn next(&mut self) -> Option<Result<Event, SortError>> {
        match self {
            Source::Run(lines) => lines.next().map(|line| line.map(Event::from).map_err(SortError::from)),
            Source::Held(events) => events.next().map(Ok),
        }
    }
}

/// The next event of one source, ordered so that `BinaryHeap` (a max-heap) pops the
/// first in CSV order, and of two equal events the one from the earlier source.
struct Head {
    event: Event,
    source: usize,
}

impl Ord for Head {
    fn cmp(&self, other: &Head) -> Ordering {
        record::order(&self.event, &other.event).then(self.source.cmp(&other.source)).reverse()
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

/// The sorted events: an iterator that merges the runs as it goes. It stops after the
/// first error.
pub struct Sorted {
    sources: Vec<Source>,
    heap: BinaryHeap<Head>,
    failed: bool,
}

impl Sorted {
    fn merge(mut sources: Vec<Source>) -> Result<Sorted, SortError> {
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (source, events) in sources.iter_mut().enumerate() {
            if let Some(event) = events.next() {
                heap.push(Head { event: event?, source });
            }
        }
        Ok(Sorted { sources, heap, failed: false })
    }
}

impl Iterator for Sorted {
    type Item = Result<Event, SortError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let Head { event, source } = self.heap.pop()?;
        match self.sources[source].next() {
            Some(Ok(next)) => self.heap.push(Head { event: next, source }),
            Some(Err(error)) => {
                self.failed = true;
                return Some(Err(error));
            }
            None => {}
        }
        Some(Ok(event))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // An event with the three keys and a sentence to tell equal keys apart.
    use crate::extract::test_event as event;

    /// A fixed, scrambled sequence with many ties: 500 events over 7 days, 5 articles, 4
    /// ids, so most keys occur several times (told apart by their sentence, their order
    /// in the input).
    fn scrambled() -> Vec<Event> {
        (0..500u32)
            .map(|i| {
                let k = (i * 7919 + 13) % 503;
                event(1 + k % 7, &format!("a{}", k % 5), &format!("e{}", k % 4), &format!("input {i}"))
            })
            .collect()
    }

    fn sorted(events: Vec<Event>, budget: usize) -> (Vec<Event>, usize) {
        let mut sorter = Sorter::new(budget);
        for e in events {
            sorter.push(e).unwrap();
        }
        let spilled = sorter.spilled();
        (sorter.finish().unwrap().collect::<Result<_, _>>().unwrap(), spilled)
    }

    #[test]
    fn under_the_budget_nothing_is_spilled() {
        let mut expected = scrambled();
        record::sort(&mut expected);
        let (got, spilled) = sorted(scrambled(), usize::MAX);
        assert_eq!(spilled, 0);
        assert!(got == expected);
    }

    #[test]
    fn any_number_of_runs_merge_to_the_stable_in_memory_sort() {
        let mut expected = scrambled();
        record::sort(&mut expected);
        let one = footprint(&scrambled()[0]);
        // A run per event (500 runs: merged into one at 64, seven times), a few events a
        // run, runs of uneven size, one run and the rest held.
        for budget in [0, 1, 3 * one, 17 * one + 5, 300 * one] {
            let (got, spilled) = sorted(scrambled(), budget);
            assert!(spilled > 0, "budget {budget}");
            let ids = |v: &[Event]| v.iter().map(|e| e.sentence.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&got), ids(&expected), "budget {budget}");
            assert!(got == expected, "budget {budget}: every field comes back");
        }
    }

    #[test]
    fn ties_keep_the_input_order_across_runs() {
        let events: Vec<Event> = (0..10).map(|i| event(3, "a", "e", &format!("{i}"))).collect();
        let (got, spilled) = sorted(events, 2 * footprint(&event(3, "a", "e", "0")));
        assert_eq!(spilled, 5);
        let order: Vec<&str> = got.iter().map(|e| e.sentence.as_str()).collect();
        assert_eq!(order, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    }

    #[test]
    fn no_events() {
        let (got, spilled) = sorted(Vec::new(), 0);
        assert!(got.is_empty() && spilled == 0);
    }
}
