//! eventmap: news reports about the conflict in Afghanistan, turned into maps.
