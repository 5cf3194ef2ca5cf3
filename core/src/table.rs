//! [`Table`]: a table directory behind a storage, with its schemas.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::options::TableOptions;
use crate::schema::TableSchema;
use crate::storage::Storage;
use crate::Result;

/// An open table: the storage rooted at its directory, its latest schema, and a cache of the
/// older schemas that data files name.
#[derive(Debug)]
pub struct Table {
    storage: Arc<dyn Storage>,
    schema: Arc<TableSchema>,
    schemas: Mutex<HashMap<i64, Arc<TableSchema>>>,
}

impl Table {
    /// Opens the table at the storage root (reads its latest schema).
    pub async fn open(storage: Arc<dyn Storage>) -> Result<Self> {
        let schema = Arc::new(TableSchema::load_latest(storage.as_ref()).await?);
        let schemas = Mutex::new(HashMap::from([(schema.id, schema.clone())]));
        Ok(Table {
            storage,
            schema,
            schemas,
        })
    }

    /// The storage.
    pub fn storage(&self) -> &dyn Storage {
        self.storage.as_ref()
    }

    /// A shared handle to the storage.
    pub fn storage_arc(&self) -> Arc<dyn Storage> {
        self.storage.clone()
    }

    /// The latest schema.
    pub fn schema(&self) -> &Arc<TableSchema> {
        &self.schema
    }

    /// The latest schema's options.
    pub fn options(&self) -> TableOptions<'_> {
        TableOptions::new(&self.schema.options)
    }

    /// Schema `id`, loaded once.
    pub async fn schema_by_id(&self, id: i64) -> Result<Arc<TableSchema>> {
        if let Some(s) = self.cache().get(&id) {
            return Ok(s.clone());
        }
        let s = Arc::new(TableSchema::load(self.storage(), id).await?);
        self.cache().insert(id, s.clone());
        Ok(s)
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<TableSchema>>> {
        self.schemas.lock().unwrap_or_else(|p| p.into_inner())
    }
}
