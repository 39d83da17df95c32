use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use bosun_image::{
    EntryMeta, Image, ImageError, LayerMeta, LayerVisitor, LayerWalk, OpenOptions, Source,
    VisitorFactory,
};

/// Keeps the bodies of the files whose path passes a filter.
#[derive(Debug)]
pub(crate) struct Collect {
    want: fn(&str) -> bool,
    pub bodies: BTreeMap<String, Vec<u8>>,
}

impl LayerVisitor for Collect {
    fn wants(&mut self, e: &EntryMeta<'_>) -> bool {
        (self.want)(e.path)
    }
    fn visit(&mut self, e: &EntryMeta<'_>, body: &mut dyn Read) {
        let mut v = Vec::new();
        let _ = body.read_to_end(&mut v);
        self.bodies.insert(e.path.to_owned(), v);
    }
}

pub(crate) struct CollectFactory(pub fn(&str) -> bool);

impl VisitorFactory for CollectFactory {
    type Visitor = Collect;
    fn visitor(&self, _: &LayerMeta) -> Collect {
        Collect {
            want: self.0,
            bodies: BTreeMap::new(),
        }
    }
}

pub(crate) fn all(_: &str) -> bool {
    true
}

pub(crate) fn open_walk(
    src: &Source,
    opts: &OpenOptions,
) -> Result<(Image, Vec<LayerWalk<Collect>>), ImageError> {
    let image = Image::open(src, opts)?;
    let walks = image.walk(&CollectFactory(all))?;
    Ok((image, walks))
}

pub(crate) fn docker(p: &Path) -> Source {
    Source::DockerArchive(p.to_owned())
}
