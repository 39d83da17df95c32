//! `rpmdb.sqlite` (rpm >= 4.16): table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`.
//!
//! The bytes are deserialized into an in-memory, read-only connection: bosun never writes a
//! temporary file. rpm keeps the database in WAL mode (header bytes 18 and 19 are 2), which
//! the in-memory VFS cannot open, so the copy handed to SQLite says "rollback journal"
//! instead. Any `-wal` file beside the database is not seen; images are built with the
//! database checkpointed, so that loses nothing in practice.

use std::io::Read;

use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, OpenFlags};

use crate::{RpmPackage, RpmdbError, header};

const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// SQLite's database header; bytes 18/19 are the write/read format versions.
const HEADER_LEN: usize = 100;
/// VM instructions between two progress callbacks.
const OPS_PER_TICK: i32 = 1000;

pub(crate) fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn sql(what: &'static str) -> impl FnOnce(rusqlite::Error) -> RpmdbError {
    move |source| RpmdbError::Sqlite { what, source }
}

/// An in-memory read-only connection holding a copy of `bytes`.
fn open(bytes: &[u8]) -> Result<Connection, RpmdbError> {
    if !is_sqlite(bytes) || bytes.len() < HEADER_LEN {
        return Err(RpmdbError::SqliteSchema("not an sqlite database"));
    }
    let mut head = [0u8; HEADER_LEN];
    head.copy_from_slice(bytes.get(..HEADER_LEN).unwrap_or(&[0; HEADER_LEN]));
    // WAL (2) -> legacy rollback journal (1), see the module comment.
    for b in head.get_mut(18..20).into_iter().flatten() {
        if *b == 2 {
            *b = 1;
        }
    }
    let rest = bytes.get(HEADER_LEN..).unwrap_or_default();

    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql("open in-memory connection"))?;
    conn.deserialize_read_exact(MAIN_DB, head.as_slice().chain(rest), bytes.len(), true)
        .map_err(sql("load database"))?;
    // A hostile schema cannot call functions with side effects, no statement may write, and
    // SQLite checks cell sizes against their page as it reads.
    conn.execute_batch(
        "PRAGMA trusted_schema = OFF; PRAGMA query_only = ON; PRAGMA cell_size_check = ON;",
    )
    .map_err(sql("configure connection"))?;
    // No stored value is larger than the file that stores it; a computed one (a generated
    // `zeroblob(1e9)` column) must not be either, or a tiny file could allocate a gigabyte.
    let max_len = i32::try_from(bytes.len()).unwrap_or(i32::MAX);
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, max_len)
        .map_err(sql("configure connection"))?;
    // Reading one table costs a few instructions per row, and rows are bounded by the file's
    // size; a budget proportional to the size stops anything that loops (a hostile view,
    // generated column or corrupt b-tree SQLite fails to notice) without touching real data.
    let mut budget: u64 = 1024 + bytes.len() as u64 / 16;
    conn.progress_handler(
        OPS_PER_TICK,
        Some(move || {
            budget = budget.saturating_sub(1);
            budget == 0
        }),
    )
    .map_err(sql("configure connection"))?;
    Ok(conn)
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<RpmPackage>, RpmdbError> {
    let conn = open(bytes)?;
    // A view or virtual table named Packages is not rpm's: refuse it rather than run it.
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE",
            [],
            |row| row.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(sql("read schema"))?;
    match kind.as_deref() {
        None => return Ok(Vec::new()),
        Some("table") => {}
        Some(_) => {
            return Err(RpmdbError::SqliteSchema("Packages is not a table"));
        }
    }
    if conn
        .query_row(
            "SELECT coalesce(sql LIKE 'CREATE VIRTUAL%', 0) FROM sqlite_master WHERE name = 'Packages' COLLATE NOCASE",
            [],
            |row| row.get::<_, bool>(0),
        )
        .map_err(sql("read schema"))?
    {
        return Err(RpmdbError::SqliteSchema("Packages is a virtual table"));
    }

    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages")
        .map_err(sql("query Packages"))?;
    let mut rows = stmt.query([]).map_err(sql("query Packages"))?;
    let mut packages = Vec::new();
    while let Some(row) = rows.next().map_err(sql("read Packages row"))? {
        let hnum = row.get_ref(0).map_err(sql("read Packages row"))?;
        let record = match hnum {
            ValueRef::Integer(i) => i.cast_unsigned(),
            _ => 0,
        };
        let blob = match row.get_ref(1).map_err(sql("read Packages row"))? {
            ValueRef::Blob(b) | ValueRef::Text(b) => b,
            _ => {
                return Err(
                    RpmdbError::Header("header blob is not a blob").in_package("sqlite", record)
                );
            }
        };
        let pkg = header::parse_header(blob).map_err(|e| e.in_package("sqlite", record))?;
        packages.push(pkg);
    }
    Ok(packages)
}
