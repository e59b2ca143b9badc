#pragma once

#include "util/keychain.h"
#include "util/result.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <chrono>
#include <stop_token>

namespace slipway {

// A secret's name and when its value was last set; never the value.
struct SecretEntry
{
    QString name;
    QDateTime set; // UTC
};

// What a deploy gives an app's containers: each secret's value, and its keyed hash, which is
// all the history keeps of it (so that a rollback can tell a value changed since a release).
struct ResolvedSecrets
{
    QMap<QString, QString> values; // name -> value: into the container, nowhere else
    QMap<QString, QString> hashes; // name -> keyedHash(), hex
};

// The values of the secrets an app's slipway.toml names ([deploy] secrets), one set per app: an
// environment's app ("web-staging") has its own. Values live only in the system keychain
// (util/keychain.h: service "slipway", key "secret:<app>:<NAME>"), never in the repository, the
// history, a log, an event or an error. As with saved logins, the names and when they were set
// (never a value) are kept in an index file, <config>/secrets.json, because the keychain cannot
// list its entries.
//
// The keyed hash is an HMAC-SHA256 of app, name and value under a random key that is itself
// kept in the keychain ("secret-hash-key"): the history database alone cannot confirm a
// guessed value.
//
// Blocking (a locked keychain may prompt): the CLI calls directly, the window on a worker.
class AppSecrets final
{
public:
    explicit AppSecrets(QString indexFile);
    static AppSecrets forDataDir(const QString &dataDirOption);

    const QString &indexFile() const { return m_indexFile; }
    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }

    // BadInput unless `app` is an app's name as deployed ([a-z0-9][a-z0-9_.-]*) and `name` an
    // environment variable's ([A-Za-z_][A-Za-z0-9_]*), each error one line naming it.
    static Status checkNames(const QString &app, const QString &name);

    // Sets (or replaces) the value. BadInput for a bad app or name, an empty value, or one with
    // a NUL character (no environment variable can hold it).
    Status set(const QString &app, const QString &name, const QString &value, std::stop_token stop = {});
    // BadInput when the app has no such secret.
    Status remove(const QString &app, const QString &name, std::stop_token stop = {});
    // The app's secrets, by name. No keychain access.
    Result<QList<SecretEntry>> list(const QString &app) const;

    // The values of `names` for `app`, read from the keychain. The first one that is not set is
    // a BadInput error naming app, environment (when given) and secret, and how to set it. No
    // names: nothing is read.
    Result<ResolvedSecrets> resolve(const QString &app, const QStringList &names,
                                    const QString &environment = {}, std::stop_token stop = {}) const;

private:
    Result<QByteArray> hashKey(bool create, std::stop_token stop) const;

    QString m_indexFile;
    std::chrono::milliseconds m_timeout = keychain::defaultTimeout;
};

} // namespace slipway
