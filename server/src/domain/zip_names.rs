//! The entry names of a ZIP archive, read from its central directory, so that an
//! upload claiming to be an Office document can be checked without unpacking it. The
//! directory is found from the archive's last bytes, then read on its own: the file
//! itself stays in the blob store.

/// How many bytes at the end of an archive hold its end record: the record and a
/// comment of at most 64 KiB.
pub const TAIL_LEN: u64 = 22 + u16::MAX as u64;

/// Directories larger than this are refused: an Office document has a few hundred entries.
const DIRECTORY_LIMIT: u64 = 4 * 1024 * 1024;

/// Where the central directory lies and how many entries it holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Directory {
    pub offset: u64,
    pub len: u64,
    pub count: u16,
}

/// Finds the directory from the last `TAIL_LEN` (or fewer) bytes of an archive of
/// `file_len` bytes; `None` when there is no end record, the directory lies outside
/// the file, or the archive is ZIP64 (no Office document is that large).
pub fn find_directory(tail: &[u8], file_len: u64) -> Option<Directory> {
    const END: &[u8] = b"PK\x05\x06";
    let last = tail.len().checked_sub(22)?;
    let end = (last.saturating_sub(u16::MAX as usize)..=last).rev().find(|&at| tail[at..].starts_with(END))?;
    let count = u16_at(tail, end + 10)?;
    let len = u64::from(u32_at(tail, end + 12)?);
    let offset = u64::from(u32_at(tail, end + 16)?);
    let fits = offset.checked_add(len).is_some_and(|stop| stop <= file_len);
    (count != u16::MAX && fits && len <= DIRECTORY_LIMIT).then_some(Directory { offset, len, count })
}

/// The names of the `count` entries of a central directory, or `None` when it is malformed.
pub fn directory_names(directory: &[u8], count: u16) -> Option<Vec<String>> {
    const ENTRY: &[u8] = b"PK\x01\x02";
    let mut at = 0;
    let mut names = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        if !directory.get(at..)?.starts_with(ENTRY) {
            return None;
        }
        let name_len = usize::from(u16_at(directory, at + 28)?);
        let rest = usize::from(u16_at(directory, at + 30)?) + usize::from(u16_at(directory, at + 32)?);
        let name = directory.get(at + 46..at + 46 + name_len)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + rest;
    }
    Some(names)
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The names of a whole archive in memory, as the upload check reads them from a store.
    pub fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
        let len = bytes.len() as u64;
        let tail = &bytes[len.saturating_sub(TAIL_LEN) as usize..];
        let directory = find_directory(tail, len)?;
        directory_names(&bytes[directory.offset as usize..(directory.offset + directory.len) as usize], directory.count)
    }

    /// A stored (uncompressed) ZIP with empty entries of these names.
    pub fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut directory = Vec::new();
        for name in names {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&[0; 12]);
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            directory.extend_from_slice(b"PK\x01\x02");
            directory.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&(name.len() as u16).to_le_bytes());
            directory.extend_from_slice(&[0; 12]);
            directory.extend_from_slice(&offset.to_le_bytes());
            directory.extend_from_slice(name.as_bytes());
        }
        let directory_offset = out.len() as u32;
        out.extend_from_slice(&directory);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(names.len() as u16).to_le_bytes());
        out.extend_from_slice(&(directory.len() as u32).to_le_bytes());
        out.extend_from_slice(&directory_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn reads_the_names_of_the_central_directory() {
        let names = zip_entry_names(&zip_of(&["[Content_Types].xml", "word/document.xml"])).unwrap();
        assert_eq!(names, ["[Content_Types].xml", "word/document.xml"]);
        assert_eq!(zip_entry_names(&zip_of(&[])).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn malformed_archives_have_no_names() {
        let mut cut = zip_of(&["a.xml"]);
        cut.truncate(cut.len() - 30);
        assert_eq!(zip_entry_names(&cut), None);
        assert_eq!(zip_entry_names(b"PK\x03\x04"), None);
        let mut lying = zip_of(&["a.xml"]);
        let count_at = lying.len() - 12;
        lying[count_at] = 9;
        assert_eq!(zip_entry_names(&lying), None, "more entries claimed than present");
    }
}
