//! Opens an image and walks it, reading every `os-release`-like file, and prints how long it
//! took: `cargo run --release -p bosun-image --example walk -- SOURCE [PLATFORM]`.
#![allow(clippy::print_stdout)]

use std::io::Read;
use std::time::Instant;

use bosun_image::{
    EntryMeta, FinalView, Image, LayerMeta, LayerVisitor, OpenOptions, Source, VisitorFactory,
};

struct Counter {
    read: u64,
}

impl LayerVisitor for Counter {
    fn wants(&mut self, e: &EntryMeta<'_>) -> bool {
        e.path.ends_with("os-release") || e.path.starts_with("var/lib/dpkg/status")
    }
    fn visit(&mut self, _: &EntryMeta<'_>, body: &mut dyn Read) {
        let mut v = Vec::new();
        if body.read_to_end(&mut v).is_ok() {
            self.read += v.len() as u64;
        }
    }
}

struct Factory;

impl VisitorFactory for Factory {
    type Visitor = Counter;
    fn visitor(&self, _: &LayerMeta) -> Counter {
        Counter { read: 0 }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let src = Source::parse(&args.next().ok_or("usage: walk SOURCE [PLATFORM]")?)?;
    let opts = OpenOptions {
        platform: args.next(),
        ..OpenOptions::default()
    };
    let t = Instant::now();
    let image = Image::open(&src, &opts)?;
    let walks = image.walk(&Factory)?;
    let view = FinalView::from_walks(&walks);
    let entries: usize = walks.iter().map(|w| w.index.entries.len()).sum();
    let read: u64 = walks.iter().map(|w| w.visitor.read).sum();
    println!(
        "{src}: {} layers, {entries} entries, {} in final view, {read} bytes visited, {:?}",
        walks.len(),
        view.len(),
        t.elapsed()
    );
    println!("{:?}", image.source_info());
    Ok(())
}
