//! What the user sees besides the report: progress, warnings, and writing the report.

use std::io::{IsTerminal, Write};

use std::process::ExitCode;

use anyhow::Context;

/// Largest policy or rule file read.
const MAX_CONFIG_BYTES: u64 = 4 << 20;

/// Reads a small text file given on the command line (rules, policies).
pub(crate) fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_CONFIG_BYTES), &mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text)
}

/// Renders the report to `output` or standard output, with `opts` (colour is decided here:
/// only on a terminal).
pub(crate) fn write_report(
    inventory: &bosun_inventory::Inventory,
    format: bosun_report::Format,
    opts: bosun_report::RenderOptions,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let opts = bosun_report::RenderOptions {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        color: output.is_none() && std::io::stdout().is_terminal(),
        ..opts
    };
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            bosun_report::render(inventory, format, &opts, &mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            // Rendered first, so that a reader that leaves early (`| head`) is told apart
            // from a rendering error: a closed pipe is not an error.
            let mut buf = Vec::new();
            bosun_report::render(inventory, format, &opts, &mut buf)?;
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&buf).and_then(|()| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write to standard output");
            }
        }
    }
    Ok(())
}

/// Prints the inventory's warnings and errors to standard error.
pub(crate) fn warn_diagnostics(inventory: &bosun_inventory::Inventory) {
    for d in &inventory.diagnostics {
        if d.level >= bosun_inventory::DiagnosticLevel::Warning {
            warn_diagnostic(d);
        }
    }
}

fn warn_diagnostic(d: &bosun_inventory::Diagnostic) {
    let mut line = format!("warning: {}: {}", d.source, d.message);
    if let Some(p) = &d.path {
        line.push_str(&format!(" ({p}"));
        if let Some(l) = &d.layer {
            line.push_str(&format!(", layer {}", l.index));
        }
        line.push(')');
    }
    eprintln!("{line}");
}

/// On a terminal: a spinner saying what is being done, and while layers are read one bar per
/// layer being downloaded (short digest, bytes, speed), cached layers marked as such, and a
/// bar of layers read. Nothing at all in a pipe or with `-q`. Everything is drawn on standard
/// error and cleared by [`Progress::finish`] (or when dropped, on an error), so the report
/// and warnings print normally after.
pub(crate) struct Progress(Option<Bars>);

/// The bars of a terminal.
struct Bars {
    spinner: indicatif::ProgressBar,
    finished: std::sync::atomic::AtomicBool,
    layers: std::sync::Arc<LayerBars>,
}

impl Progress {
    pub(crate) fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let multi =
            indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let spinner = multi.add(indicatif::ProgressBar::new_spinner());
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        Progress(Some(Bars {
            spinner,
            finished: std::sync::atomic::AtomicBool::new(false),
            layers: std::sync::Arc::new(LayerBars {
                multi,
                downloads: std::sync::Mutex::new(std::collections::HashMap::new()),
                cached: std::sync::Mutex::new(Vec::new()),
                analysis: std::sync::Mutex::new(None),
            }),
        }))
    }

    pub(crate) fn message(&self, msg: &'static str) {
        if let Some(b) = &self.0 {
            b.spinner.set_message(msg);
        }
    }

    /// Prints a line above the bars (or plainly without them).
    pub(crate) fn println(&self, line: &str) {
        match &self.0 {
            Some(b) => {
                if b.layers.multi.println(line).is_err() {
                    eprintln!("{line}");
                }
            }
            None => eprintln!("{line}"),
        }
    }

    /// What draws the layer bars of an image's walk; `None` in a pipe or with `-q`.
    pub(crate) fn observer(&self) -> Option<std::sync::Arc<dyn bosun_image::WalkObserver>> {
        self.0
            .as_ref()
            .map(|b| b.layers.clone() as std::sync::Arc<dyn bosun_image::WalkObserver>)
    }

    /// Clears every bar.
    pub(crate) fn finish(&self) {
        if let Some(b) = &self.0 {
            // Once: a second clear after the report could move the cursor over it.
            if b.finished.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return;
            }
            b.layers.clear();
            b.spinner.finish_and_clear();
            // Ignored: a terminal that cannot be cleared leaves nothing worse than before.
            let _ = b.layers.multi.clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The bars of layers: downloads by digest, cached layers, and layers read.
struct LayerBars {
    multi: indicatif::MultiProgress,
    downloads: std::sync::Mutex<std::collections::HashMap<String, indicatif::ProgressBar>>,
    /// Bars of cached layers, and finished downloads (kept until the end, see `finished`).
    cached: std::sync::Mutex<Vec<indicatif::ProgressBar>>,
    analysis: std::sync::Mutex<Option<indicatif::ProgressBar>>,
}

/// `sha256:0123456789ab...` → `0123456789ab`.
fn short_digest(digest: &str) -> String {
    let hex = digest.split_once(':').map_or(digest, |(_, h)| h);
    hex.chars().take(12).collect()
}

/// A bar drawn nowhere until a `MultiProgress` adopts it (a bar made with
/// `ProgressBar::new` would draw on stderr by itself, beside the others, when changed).
fn hidden_bar(len: Option<u64>) -> indicatif::ProgressBar {
    indicatif::ProgressBar::with_draw_target(len, indicatif::ProgressDrawTarget::hidden())
}

fn style(template: &str) -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl LayerBars {
    /// Adds a bar above the analysis bar (so it stays last).
    fn add(&self, bar: indicatif::ProgressBar) -> indicatif::ProgressBar {
        let analysis = self.analysis.lock().unwrap_or_else(|e| e.into_inner());
        match analysis.as_ref() {
            Some(a) => self.multi.insert_before(a, bar),
            None => self.multi.add(bar),
        }
    }

    fn clear(&self) {
        for (_, b) in self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
        {
            b.finish_and_clear();
        }
        for b in self
            .cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            b.finish_and_clear();
        }
        if let Some(a) = self
            .analysis
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            a.finish_and_clear();
        }
    }
}

impl bosun_image::TransferObserver for LayerBars {
    fn started(&self, digest: &str, size: Option<u64>) {
        let bar = match size {
            Some(n) => hidden_bar(Some(n)).with_style(style(
                "  {prefix} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec}",
            )),
            None => hidden_bar(None)
                .with_style(style("  {prefix} {spinner} {bytes:>10} {bytes_per_sec}")),
        };
        let bar = self.add(bar.with_prefix(short_digest(digest)));
        let old = self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(digest.to_owned(), bar);
        if let Some(old) = old {
            old.finish_and_clear();
            self.cached
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(old);
        }
    }

    fn bytes(&self, digest: &str, n: u64) {
        if let Some(b) = self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(digest)
        {
            b.inc(n);
        }
    }

    fn finished(&self, digest: &str) {
        let bar = self
            .downloads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(digest);
        if let Some(b) = bar {
            b.finish_and_clear();
            // Kept until the end: a bar dropped from a `MultiProgress` leaves "zombie" lines
            // that later redraws miscount.
            self.cached
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(b);
        }
    }
}

impl bosun_image::WalkObserver for LayerBars {
    fn walk_started(&self, total: usize) {
        let mut analysis = self.analysis.lock().unwrap_or_else(|e| e.into_inner());
        match analysis.as_ref() {
            Some(a) => {
                a.set_length(total as u64);
                a.set_position(0);
            }
            None => {
                let bar = hidden_bar(Some(total as u64))
                    .with_style(style("  {msg:12} [{bar:30}] {pos}/{len} layers"))
                    .with_message("analysis");
                *analysis = Some(self.multi.add(bar));
            }
        }
    }

    fn layer_skipped(&self, index: usize, digest: Option<&str>) {
        if let Some(d) = digest {
            let bar = hidden_bar(Some(1))
                .with_style(style("  {prefix} {msg}"))
                .with_prefix(short_digest(d))
                .with_message("cached");
            let bar = self.add(bar);
            bar.tick();
            self.cached
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(bar);
        }
        self.layer_walked(index, digest);
    }

    fn layer_walked(&self, _index: usize, _digest: Option<&str>) {
        if let Some(a) = self
            .analysis
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            a.inc(1);
        }
    }
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub(crate) fn print(text: &str) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to standard output")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
