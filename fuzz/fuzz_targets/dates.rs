//! The date parsers that read untrusted text: an extract date (a flag, a
//! config value, a Lambda event, a raw-zone folder name) and a release date
//! (any string in an album body). Never a panic; an extract date that
//! parses is a plain `YYYY-MM-DD` that prints back as given, and a release
//! year that is not null lies within the plausible years.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::ids::ExtractDate;
use spotify_lake::transform::{FIRST_RECORDING_YEAR, parse_release_date};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(date) = text.parse::<ExtractDate>() {
        assert_eq!(date.to_string(), text, "an extract date prints back as given");
        let _ = date.check_given(ExtractDate::today_utc());
    }
    let latest = 2027;
    let release = parse_release_date(Some(&text), latest);
    if let Some(year) = release.year {
        assert!((FIRST_RECORDING_YEAR..=latest).contains(&year), "{text:?} gave {year}");
        assert!(!release.unreadable && release.date.is_some());
    }
});
