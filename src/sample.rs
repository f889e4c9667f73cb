//! The bundled sample: a raw snapshot of three artists (Drake, Michael
//! Jackson, Bruno Mars) whose album names, years and lengths are the
//! original project's figures (`samples/seed-albums/*.csv`).
//!
//! It is embedded in the binary so `demo` runs from any folder with no
//! network; `scripts/gen_snapshot.py sample` regenerates it.

use include_dir::{Dir, include_dir};

static SAMPLE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/samples/raw");

/// Writes the sample raw zone (its `extract_date=…` folders) under `root`,
/// replacing files of the same name. Returns the number of files written.
pub fn write_to(root: &std::path::Path) -> Result<usize, crate::Error> {
    fn walk(dir: &Dir<'_>, root: &std::path::Path, n: &mut usize) -> Result<(), crate::Error> {
        for file in dir.files() {
            let path = root.join(file.path());
            let io = |source| crate::Error::Sample {
                path: path.display().to_string(),
                source,
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io)?;
            }
            std::fs::write(&path, file.contents()).map_err(io)?;
            *n += 1;
        }
        for sub in dir.dirs() {
            walk(sub, root, n)?;
        }
        Ok(())
    }
    let mut n = 0;
    walk(&SAMPLE, root, &mut n)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_is_embedded_whole() {
        let dir = tempfile::tempdir().unwrap();
        let n = super::write_to(dir.path()).unwrap();
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/raw");
        assert_eq!(
            n,
            compare(&source, dir.path()),
            "embedded and on-disk sample differ in count"
        );
        assert!(n > 40);
    }

    /// Counts the files under `source`, asserting each equals its copy.
    fn compare(source: &std::path::Path, copy: &std::path::Path) -> usize {
        std::fs::read_dir(source)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let other = copy.join(e.file_name());
                if e.file_type().unwrap().is_dir() {
                    compare(&e.path(), &other)
                } else {
                    let same = std::fs::read(e.path()).unwrap() == std::fs::read(&other).unwrap();
                    assert!(
                        same,
                        "{} is stale in the binary; rebuild",
                        e.path().display()
                    );
                    1
                }
            })
            .sum()
    }
}
