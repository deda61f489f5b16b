//! The one table: each figure per size with PASS/MISS against its goal, and how
//! it grew from the smallest size to the largest.

use crate::Figures;

/// A goal: the figure must be at most this.
type Goal = Option<f64>;

struct Line {
    figure: &'static str,
    goal: Goal,
    value: fn(&Figures) -> Option<f64>,
}

fn line(figure: &'static str, goal: Goal, value: fn(&Figures) -> Option<f64>) -> Line {
    Line { figure, goal, value }
}

/// The figures with issue 10's goals, in the units of each figure.
fn lines() -> Vec<Line> {
    vec![
        line("library: first sync incl. applying (s)", Some(20.0), |f| Some(f.library.first_sync_s)),
        line("library: same sync fetched + parsed, not applied (s)", None, |f| Some(f.library.fetch_only_s)),
        line("library: changes synced", None, |f| Some(f.library.changes as f64)),
        line("library: pages", None, |f| Some(f.library.pages as f64)),
        line("library: last full page / first page", Some(2.0), |f| {
            Some(f.library.last_full_page_ms / f.library.first_page_ms)
        }),
        line("library: sync with nothing new, median (ms)", Some(20.0), |f| Some(f.library.idle_sync_ms)),
        line("library: open cache + first window (ms)", None, |f| Some(f.library.window_ms)),
        line("app: sign-in to first sync stored (s)", Some(20.0), |f| f.desktop.as_ref().map(|d| d.first_sync_s)),
        line("app: cold start to first screen (ms)", Some(1000.0), |f| f.desktop.as_ref().map(|d| d.cold_start_ms)),
        line("app: appointments screen opens (ms)", Some(200.0), |f| f.desktop.as_ref().map(|d| d.open_ms)),
        line("app: appointments screen again, median (ms)", Some(200.0), |f| {
            f.desktop.as_ref().map(|d| d.reopen_median_ms)
        }),
        line("app: PSS on appointments screen (MB)", Some(350.0), |f| {
            f.desktop.as_ref().map(|d| d.appointments_mb.total_mb)
        }),
        line("app first run: cold start to sign-in (ms)", None, |f| f.desktop.as_ref().map(|d| d.first_run_start_ms)),
        line("app first run: PSS on sign-in screen (MB)", None, |f| {
            f.desktop.as_ref().map(|d| d.first_run_mb.total_mb)
        }),
    ]
}

fn number(value: f64) -> String {
    if value >= 100.0 {
        let whole = format!("{value:.0}");
        let mut grouped = String::new();
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        grouped
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

pub fn print(all: &[Figures]) {
    let sizes: Vec<String> = all.iter().map(|f| number(f.size as f64)).collect();
    println!();
    println!("| figure | goal | {} | growth |", sizes.join(" | "));
    println!("|---|---|{}---|", "---|".repeat(sizes.len()));
    for line in lines() {
        let values: Vec<Option<f64>> = all.iter().map(line.value).collect();
        let cells: Vec<String> = values
            .iter()
            .map(|value| match (value, line.goal) {
                (None, _) => "skipped".to_string(),
                (Some(v), None) => number(*v),
                (Some(v), Some(goal)) => format!("{} {}", number(*v), if *v <= goal { "PASS" } else { "MISS" }),
            })
            .collect();
        let growth = match (values.first().copied().flatten(), values.last().copied().flatten()) {
            (Some(first), Some(last)) if values.len() > 1 && first > 0.0 => format!("×{:.2}", last / first),
            _ => "—".to_string(),
        };
        let goal = line.goal.map(|g| format!("≤ {}", number(g))).unwrap_or_else(|| "—".to_string());
        println!("| {} | {goal} | {} | {growth} |", line.figure, cells.join(" | "));
    }
    println!();
    for figures in all {
        if let Some(desktop) = &figures.desktop {
            println!(
                "PSS by process at {} appointments (MB): appointments screen: {}; first-run screen: {}",
                number(figures.size as f64),
                desktop.appointments_mb.breakdown(),
                desktop.first_run_mb.breakdown()
            );
        }
    }
}
