//! The task table of `dump_tasks`: its heading in every generation, its rows, and the few
//! largest rows a report keeps.

use crate::report::TaskRow;

use super::scan::{is_digits, next_word, parse_i32, parse_u32, parse_u64};
use super::TASK_ROWS_KEPT;

/// A numeric column of the task table, by its heading name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Uid,
    Tgid,
    TotalVm,
    Rss,
    RssAnon,
    RssFile,
    RssShmem,
    PgtablesBytes,
    Swapents,
    OomScoreAdj,
    /// `nr_ptes`, `nr_pmds` or a name this parser does not know: read past, not kept.
    Other,
}

use Column::{
    OomScoreAdj, Other, PgtablesBytes, Rss, RssAnon, RssFile, RssShmem, Swapents, Tgid, TotalVm,
    Uid,
};

/// The ≥ 4.19 layout, assumed for rows whose heading was lost (after `Tasks state`).
const LAYOUT_PGTABLES: [Column; 7] = [
    Uid,
    Tgid,
    TotalVm,
    Rss,
    PgtablesBytes,
    Swapents,
    OomScoreAdj,
];
/// The 4.0–4.14 layout (`nr_ptes nr_pmds`).
const LAYOUT_NR_PMDS: [Column; 8] = [Uid, Tgid, TotalVm, Rss, Other, Other, Swapents, OomScoreAdj];
/// The ≥ 6.8 layout (rss split into anon, file, shmem).
const LAYOUT_RSS_SPLIT: [Column; 10] = [
    Uid,
    Tgid,
    TotalVm,
    Rss,
    RssAnon,
    RssFile,
    RssShmem,
    PgtablesBytes,
    Swapents,
    OomScoreAdj,
];

/// Reads a heading (`[ pid ]   uid  tgid total_vm      rss … name`, any generation) into its
/// numeric columns, in order. `None` unless the bracket says `pid` and there is an `rss` column.
pub(crate) fn heading(text: &str) -> Option<Vec<Column>> {
    let (inside, names) = text.strip_prefix('[')?.split_once(']')?;
    if inside.trim() != "pid" {
        return None;
    }
    let columns: Vec<Column> = names
        .split_ascii_whitespace()
        .take_while(|name| *name != "name")
        .map(|name| match name {
            "uid" => Uid,
            "tgid" => Tgid,
            "total_vm" => TotalVm,
            "rss" => Rss,
            "rss_anon" => RssAnon,
            "rss_file" => RssFile,
            "rss_shmem" => RssShmem,
            "pgtables_bytes" => PgtablesBytes,
            "swapents" => Swapents,
            "oom_score_adj" => OomScoreAdj,
            _ => Other,
        })
        .collect();
    columns.contains(&Rss).then_some(columns)
}

/// The layout of a row printed without its heading, from how many numbers it starts with.
pub(crate) fn infer_columns(after_pid: &str) -> &'static [Column] {
    let numbers = after_pid
        .split_ascii_whitespace()
        .take(LAYOUT_RSS_SPLIT.len())
        .take_while(|word| parse_i32(word).is_some() || is_digits(word))
        .count();
    match numbers {
        8 | 9 => &LAYOUT_NR_PMDS,
        10 => &LAYOUT_RSS_SPLIT,
        _ => &LAYOUT_PGTABLES,
    }
}

/// Whether `text` is a row (`[  13432] …`): the pid (`None` when it overflows) and what follows.
pub(crate) fn row_start(text: &str) -> Option<(Option<u32>, &str)> {
    let (inside, after) = text.strip_prefix('[')?.split_once(']')?;
    let pid = inside.trim();
    is_digits(pid).then(|| (parse_u32(pid), after))
}

/// Reads a row's columns as `columns` lays them out; the name is the rest of the line and may
/// hold spaces. Returns the row with an empty name (an empty `String` does not allocate) and
/// the name, borrowed from the line until the row is kept. `None` when a required figure is
/// missing, does not parse, or there is no name: a row cut short would otherwise keep a cut
/// number.
pub(crate) fn parse_row<'a>(
    pid: u32,
    after_pid: &'a str,
    columns: &[Column],
) -> Option<(TaskRow, &'a str)> {
    let mut row = TaskRow {
        pid,
        ..TaskRow::default()
    };
    let (mut uid, mut tgid, mut total_vm, mut rss, mut score_adj) = (None, None, None, None, None);
    let mut rest = after_pid;
    for column in columns {
        let (word, after) = next_word(rest)?;
        rest = after;
        match column {
            Uid => uid = parse_u32(word),
            Tgid => tgid = parse_u32(word),
            TotalVm => total_vm = parse_u64(word),
            Rss => rss = parse_u64(word),
            RssAnon => row.rss_anon_pages = parse_u64(word),
            RssFile => row.rss_file_pages = parse_u64(word),
            RssShmem => row.rss_shmem_pages = parse_u64(word),
            PgtablesBytes => row.pgtables_bytes = parse_u64(word),
            Swapents => row.swapents_pages = parse_u64(word),
            OomScoreAdj => score_adj = parse_i32(word),
            Other => {}
        }
    }
    let name = rest.trim();
    if name.is_empty() {
        return None;
    }
    row.uid = uid?;
    row.tgid = tgid?;
    row.total_vm_pages = total_vm?;
    row.rss_pages = rss?;
    row.oom_score_adj = score_adj?;
    Some((row, name))
}

/// Keeps `row`, named `name`, if it is among the [`TASK_ROWS_KEPT`] largest by rss seen so
/// far. `tasks` stays sorted largest first (earlier rows first among equals) and never holds
/// more than `TASK_ROWS_KEPT + 1` rows, so memory does not grow with the table; the name is
/// copied only for a row that is kept.
pub(crate) fn keep_largest(tasks: &mut Vec<TaskRow>, mut row: TaskRow, name: &str) {
    let full = tasks.len() >= TASK_ROWS_KEPT;
    if full
        && tasks
            .last()
            .is_none_or(|smallest| row.rss_pages <= smallest.rss_pages)
    {
        return;
    }
    let at = tasks.partition_point(|kept| kept.rss_pages >= row.rss_pages);
    row.name = name.to_string();
    tasks.insert(at, row);
    tasks.truncate(TASK_ROWS_KEPT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(text: &'a str, columns: &[Column]) -> (Option<u32>, Option<(TaskRow, &'a str)>) {
        let (pid, after) = row_start(text).unwrap();
        (pid, parse_row(pid.unwrap_or(0), after, columns))
    }

    #[test]
    fn heading_generations() {
        let h310 =
            heading("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name")
                .unwrap();
        assert_eq!(
            h310,
            vec![Uid, Tgid, TotalVm, Rss, Other, Swapents, OomScoreAdj]
        );
        let h44 = heading(
            "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
        )
        .unwrap();
        assert_eq!(h44.as_slice(), LAYOUT_NR_PMDS.as_slice());
        let h419 = heading(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        )
        .unwrap();
        assert_eq!(h419.as_slice(), LAYOUT_PGTABLES.as_slice());
        let h68 = heading("[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name").unwrap();
        assert_eq!(h68.as_slice(), LAYOUT_RSS_SPLIT.as_slice());
        assert_eq!(heading("[ 1234] 0 0 0 0 0 0 0 x"), None);
    }

    #[test]
    fn row_3_10_nr_ptes() {
        let columns =
            heading("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name")
                .unwrap();
        let (pid, figures) = row(
            "[28438]     0 28438  5063909   119961    1661   136409          -998 java",
            &columns,
        );
        let (figures, name) = figures.unwrap();
        assert_eq!(pid, Some(28438));
        assert_eq!(figures.rss_pages, 119_961);
        assert_eq!(figures.pgtables_bytes, None);
        assert_eq!(figures.swapents_pages, Some(136_409));
        assert_eq!(figures.oom_score_adj, -998);
        assert_eq!(name, "java");
        assert_eq!(figures.pid, 28438);
    }

    #[test]
    fn row_6_8_rss_split_and_wide_pid() {
        let (pid, figures) = row("[1833435]     0 1833435     5294      360   300    50    10    81920        0             0 systemd", &LAYOUT_RSS_SPLIT);
        let (figures, _) = figures.unwrap();
        assert_eq!(pid, Some(1_833_435));
        assert_eq!(
            (
                figures.rss_anon_pages,
                figures.rss_file_pages,
                figures.rss_shmem_pages
            ),
            (Some(300), Some(50), Some(10))
        );
        assert_eq!(figures.pgtables_bytes, Some(81920));
    }

    #[test]
    fn row_names_with_spaces_slashes_and_brackets() {
        for name in [
            "(sd-pam)",
            "runc:[2:INIT]",
            "/home/alex/farm",
            "Web Content",
            "kworker/0:2",
        ] {
            let line = format!(
                "[  12041]  1000 12041    23121    14572   212992     4117             0 {name}"
            );
            assert_eq!(row(&line, &LAYOUT_PGTABLES).1.unwrap().1, name);
        }
    }

    #[test]
    fn row_cut_short_is_not_kept() {
        assert_eq!(row("[21284]  1337 21284  12", &LAYOUT_PGTABLES).1, None);
        assert_eq!(
            row("[21284]  1337 21284  12 1 1 1 0", &LAYOUT_PGTABLES).1,
            None
        );
    }

    #[test]
    fn row_overflow_drops_row_or_optional_figure() {
        let (_, figures) = row("[1] 0 1 1 99999999999999999999 1 1 0 x", &LAYOUT_PGTABLES);
        assert_eq!(figures, None);
        let (_, figures) = row("[1] 0 1 1 5 99999999999999999999 1 0 x", &LAYOUT_PGTABLES);
        assert_eq!(figures.unwrap().0.pgtables_bytes, None);
        let (pid, _) = row("[99999999999] 0 1 1 5 1 1 0 x", &LAYOUT_PGTABLES);
        assert_eq!(pid, None);
    }

    #[test]
    fn infer_layout_from_number_count() {
        assert_eq!(infer_columns(" 0 1 2 3 4 5 6 sh").len(), 7);
        assert_eq!(infer_columns(" 0 1 2 3 4 5 6 7 sh"), &LAYOUT_NR_PMDS);
        assert_eq!(infer_columns(" 0 1 2 3 4 5 6 7 8 -5 sh"), &LAYOUT_RSS_SPLIT);
    }

    #[test]
    fn keep_largest_stays_sorted_and_bounded() {
        let mut tasks = Vec::new();
        for rss in [5u64, 50, 1, 50, 7, 100, 3, 9, 11, 13, 2, 8, 60] {
            let row = TaskRow {
                pid: u32::try_from(rss).unwrap(),
                rss_pages: rss,
                ..TaskRow::default()
            };
            keep_largest(&mut tasks, row, "t");
            assert!(tasks.len() <= TASK_ROWS_KEPT);
        }
        let kept: Vec<u64> = tasks.iter().map(|task| task.rss_pages).collect();
        let mut expected = vec![100, 60, 50, 50, 13, 11, 9, 8, 7, 5, 3, 2, 1];
        expected.truncate(TASK_ROWS_KEPT);
        assert_eq!(kept, expected);
    }
}
