//! The file as rows of cells: the delimiter sniffed from the first line (comma, semicolon or tab),
//! a byte-order mark dropped, each row with the line it starts on (the header being line 1) and its
//! cells, or the reason it cannot be read (text that is not UTF-8). Rows past the limit stop the
//! reading.

use std::fmt;

/// One row: its line and its cells, or why it was unreadable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u64,
    pub cells: Result<Vec<String>, String>,
}

/// Every row of the file, header included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub delimiter: u8,
    pub rows: Vec<Row>,
}

/// The file has more rows than an import takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyRows(pub usize);

impl fmt::Display for TooManyRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the file has more than {} rows", self.0)
    }
}

/// The delimiter of the first line: whichever of `,` `;` tab occurs most outside quotes.
fn sniff(bytes: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in bytes.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Reads `bytes` (at most `max_rows` rows besides the header).
pub fn read(bytes: &[u8], max_rows: usize) -> Result<Table, TooManyRows> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = sniff(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    // The line a record starts on, from its byte offset: the reader's own count starts a record at
    // the blank lines before it.
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| (*b == b'\n').then_some(i))
        .collect();
    let line_at = |offset: u64| -> u64 {
        let mut at = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        newlines.partition_point(|&n| n < at) as u64 + 1
    };
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = line_at(record.position().map_or(start, |p| p.byte()));
                let cells = record
                    .iter()
                    .map(|cell| String::from_utf8(cell.to_vec()))
                    .collect::<Result<Vec<String>, _>>()
                    .map_err(|_| "the line is not UTF-8 text".to_owned());
                if cells
                    .as_ref()
                    .is_ok_and(|c| c.iter().all(|c| c.trim().is_empty()))
                {
                    continue;
                }
                rows.push(Row { line, cells });
                if rows.len() > max_rows + 1 {
                    return Err(TooManyRows(max_rows));
                }
            }
            Err(err) => {
                // A broken quote: report the line and go on with the next record.
                let line = line_at(err.position().map_or(start, |p| p.byte()));
                rows.push(Row {
                    line,
                    cells: Err(format!("the line cannot be read as CSV ({err})")),
                });
                if rows.len() > max_rows + 1 {
                    return Err(TooManyRows(max_rows));
                }
            }
        }
    }
    Ok(Table { delimiter, rows })
}

/// A header cell as the mappers compare them: lower case, without a parenthesised remark, spaces,
/// underscores or dashes (`"Odo (km)"` → `odo`, `fuelup_date` → `fuelupdate`).
pub fn normalize(header: &str) -> String {
    let base = header.split('(').next().unwrap_or(header);
    base.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '"'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_delimiters_bad_text_and_the_limit() {
        let file = b"\xEF\xBB\xBFDate;Cost\n1.1.2024;\"4,5\"\n\n2.1.2024;\xFF\n\"3.1.2024\n\";7\n";
        let table = read(file, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.delimiter, b';');
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [1, 2, 4, 5]);
        assert_eq!(
            table.rows[0].cells,
            Ok(vec!["Date".to_owned(), "Cost".to_owned()])
        );
        assert_eq!(
            table.rows[1].cells,
            Ok(vec!["1.1.2024".into(), "4,5".into()])
        );
        assert!(table.rows[2].cells.is_err());
        assert_eq!(read(b"a,b\n1,2\n3,4\n4,5\n", 2), Err(TooManyRows(2)));
        assert!(read(b"a,b\n1,2\n3,4\n", 2).is_ok());
    }

    #[test]
    fn headers_compare_without_decoration() {
        assert_eq!(normalize("Odo (km)"), "odo");
        assert_eq!(normalize(" fuelup_date "), "fuelupdate");
        assert_eq!(normalize("IsFillToFull"), "isfilltofull");
    }
}
