#pragma once
// The embedded store: one SQLite file in WAL mode with synchronous=FULL, schema
// migrations applied at open.
#include <filesystem>
#include <memory>

#include "otter/store/store.h"

namespace otter::store {

// Opens (creating if needed) the database and migrates it to the latest
// schema. Throws StoreError when the file cannot be opened or is newer than
// this build understands.
std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& file);

// Schema version this build writes.
int sqlite_schema_version();

}  // namespace otter::store
