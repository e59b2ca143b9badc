#pragma once

#include <QList>
#include <QStringList>

namespace slipway {

// The history database's schema steps, in order: entry i takes PRAGMA user_version from i to
// i + 1. History::open runs each missing step in one transaction with its version bump, so a
// crash leaves the old version. Never edit a released entry (tests/unit/history keeps a copy of
// version 1): add a new one, and describe it in docs/history.md.
const QList<QStringList> &historyMigrations();

} // namespace slipway
