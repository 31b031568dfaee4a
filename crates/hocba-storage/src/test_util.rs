//! Shared set-up for storage tests: a migrated store per engine.

use crate::Store;
use hocba_test_support::TestDatabase;

pub(crate) async fn stores() -> Vec<(TestDatabase, Store)> {
    let mut stores = Vec::new();
    for database in hocba_test_support::test_databases().await {
        let store = Store::connect(&database.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        stores.push((database, store));
    }
    stores
}
