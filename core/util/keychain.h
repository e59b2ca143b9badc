#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <chrono>
#include <optional>
#include <stop_token>

namespace slipway::keychain {

// The system keychain (the Secret Service over D-Bus, through QtKeychain), where Slipway keeps
// what must never be written to a file, the database or a log: saved registry logins
// (SavedCredentials) and app secrets (AppSecrets). Every entry is under service "slipway"; `key`
// names it ("registry:host:5000", "secret:web:DB_PASSWORD"). There is never a fallback to a
// plaintext file.
//
// Threads: QtKeychain jobs are asynchronous and need an event loop. Each call here hands its
// job to one keychain thread of Slipway's (which runs an event loop for as long as the
// QCoreApplication lives) and blocks until the job is done, the timeout passes or the stop
// token is set. Any thread may call, but a call can wait for an unlock prompt: the CLI calls
// directly, the GUI from a worker thread, never the GUI thread. A QCoreApplication must exist.
//
// `what` names the entry in errors ("the login for registry host:5000"); no error ever holds
// the data.

// True when a session bus address is known, so that a keychain may be reachable: where libdbus
// and GLib look, minus X11 autolaunch (that starts a bus of its own, with no keychain on it, or
// fails slowly, which a push must never wait for).
bool hasSessionBus();

// "no system keychain ... is available: <cause>; <how to get one>"
QString noKeychainMessage(const QString &cause);
// The error for a call made without a session bus.
Error noSessionBus();

inline constexpr std::chrono::milliseconds defaultTimeout{30000}; // an unlock prompt may be up

Status write(const QString &key, const QByteArray &data, const QString &what,
             std::chrono::milliseconds timeout = defaultTimeout, std::stop_token stop = {});

struct ReadOutcome
{
    std::optional<QByteArray> data; // none: no such entry
    bool noBackend = false;         // nothing answers on the bus (then data is none as well)
};
Result<ReadOutcome> read(const QString &key, const QString &what,
                         std::chrono::milliseconds timeout = defaultTimeout, std::stop_token stop = {});

// An entry that is not there counts as removed.
Status remove(const QString &key, const QString &what, std::chrono::milliseconds timeout = defaultTimeout,
              std::stop_token stop = {});

// The keychain cannot list its entries, so its users keep the names (never what the keychain
// holds) in a small JSON index file of their own, e.g. <config>/logins.json.
// The index's object; an empty one when the file is not there. A file that is not a JSON object
// is a BadInput error: "<path> is not valid: expected <expected>".
Result<QJsonObject> readIndexFile(const QString &path, const QString &expected);
// Replaces the index file whole (QSaveFile), making its folder first.
Status writeIndexFile(const QString &path, const QJsonObject &index);

} // namespace slipway::keychain
