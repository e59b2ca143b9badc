#include "deploy/appsecrets.h"

#include "projectfile/spec.h"
#include "util/logging.h"
#include "util/paths.h"

#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace slipway {
namespace {

const QString hashKeyName = QStringLiteral("secret-hash-key");

QString keyFor(const QString &app, const QString &name)
{
    return QStringLiteral("secret:%1:%2").arg(app, name);
}

QString secretOf(const QString &app, const QString &name)
{
    return QStringLiteral("secret %1 of app %2").arg(name, app);
}

// {"apps": {"web": {"DB_PASSWORD": "2026-12-06T18:00:00Z"}}}
Result<QJsonObject> readIndex(const QString &path)
{
    auto index = keychain::readIndexFile(
        path, QStringLiteral("{\"apps\": {...}}; fix or remove it (the values are in the system keychain)"));
    if (!index)
        return index.error();
    return index->value(QStringLiteral("apps")).toObject();
}

Status writeIndex(const QString &path, const QJsonObject &apps)
{
    return keychain::writeIndexFile(path, QJsonObject{{QStringLiteral("apps"), apps}});
}

} // namespace

AppSecrets::AppSecrets(QString indexFile)
    : m_indexFile(std::move(indexFile))
{}

AppSecrets AppSecrets::forDataDir(const QString &dataDirOption)
{
    return AppSecrets(DataDirs::resolve(dataDirOption).config + QStringLiteral("/secrets.json"));
}

Status AppSecrets::checkNames(const QString &app, const QString &name)
{
    if (!isContainerName(app))
        return Error::badInput(
            QStringLiteral("'%1' is not an app name (a-z, 0-9, '_', '.' and '-')").arg(app));
    if (!isVariableName(name))
        return Error::badInput(
            QStringLiteral("'%1' is not a secret name: like an environment variable, A-Z, a-z, 0-9 and '_', "
                           "not starting with a digit")
                .arg(name));
    return success();
}

Result<QByteArray> AppSecrets::hashKey(bool create, std::stop_token stop) const
{
    const QString what = QStringLiteral("the key that hashes secrets");
    auto read = keychain::read(hashKeyName, what, m_timeout, stop);
    if (!read)
        return read.error();
    if (read->noBackend)
        return Error::failed(
            keychain::noKeychainMessage(QStringLiteral("nothing answers on the session bus")));
    if (read->data && read->data->size() >= 32)
        return *read->data;
    if (!create)
        return QByteArray();
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(key.begin(), key.end());
    if (Status written = keychain::write(hashKeyName, key, what, m_timeout, stop); !written)
        return written.error();
    return key;
}

Status AppSecrets::set(const QString &app, const QString &name, const QString &value, std::stop_token stop)
{
    if (Status checked = checkNames(app, name); !checked)
        return checked;
    if (value.isEmpty())
        return Error::badInput(QStringLiteral("the value of %1 is empty").arg(secretOf(app, name)));
    if (value.contains(QChar(0)))
        return Error::badInput(
            QStringLiteral("the value of %1 holds a NUL character, which no environment variable can")
                .arg(secretOf(app, name)));
    auto index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    if (!keychain::hasSessionBus())
        return keychain::noSessionBus();
    // The hash key first: a secret is never set without a way to tell later that it changed.
    if (auto key = hashKey(true, stop); !key)
        return key.error();
    if (Status written =
            keychain::write(keyFor(app, name), value.toUtf8(), secretOf(app, name), m_timeout, stop);
        !written)
        return written;
    QJsonObject apps = index.value();
    QJsonObject secrets = apps.value(app).toObject();
    const bool listed = secrets.contains(name);
    secrets.insert(name, QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    apps.insert(app, secrets);
    if (Status indexed = writeIndex(m_indexFile, apps); !indexed) {
        // Not listed means never used: take a new value back out rather than leave it orphaned.
        // A listed one keeps its new value (the index just keeps the old time).
        if (!listed)
            (void)keychain::remove(keyFor(app, name), secretOf(app, name), m_timeout);
        return indexed;
    }
    qCDebug(lcDeploy) << "saved" << secretOf(app, name) << "in the system keychain";
    return success();
}

Status AppSecrets::remove(const QString &app, const QString &name, std::stop_token stop)
{
    if (Status checked = checkNames(app, name); !checked)
        return checked;
    auto index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    QJsonObject apps = index.value();
    QJsonObject secrets = apps.value(app).toObject();
    if (!secrets.contains(name))
        return Error::badInput(QStringLiteral("app %1 has no secret %2").arg(app, name));
    if (Status deleted = keychain::remove(keyFor(app, name), secretOf(app, name), m_timeout, stop); !deleted)
        return deleted;
    secrets.remove(name);
    if (secrets.isEmpty())
        apps.remove(app);
    else
        apps.insert(app, secrets);
    return writeIndex(m_indexFile, apps);
}

Result<QList<SecretEntry>> AppSecrets::list(const QString &app) const
{
    auto index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    const QJsonObject secrets = index->value(app).toObject();
    QList<SecretEntry> entries;
    for (auto it = secrets.begin(); it != secrets.end(); ++it) // sorted by name
        entries.append(SecretEntry{.name = it.key(),
                                   .set = QDateTime::fromString(it.value().toString(), Qt::ISODate).toUTC()});
    return entries;
}

Result<ResolvedSecrets> AppSecrets::resolve(const QString &app, const QStringList &names,
                                            const QString &environment, std::stop_token stop) const
{
    ResolvedSecrets resolved;
    if (names.isEmpty())
        return resolved;
    auto index = readIndex(m_indexFile);
    if (!index)
        return index.error();
    const QJsonObject secrets = index->value(app).toObject();
    const QString whose = environment.isEmpty() ? QStringLiteral("app %1").arg(app)
                                                : QStringLiteral("app %1 ([env.%2])").arg(app, environment);
    const auto missing = [&](const QString &name) {
        return Error::badInput(
            QStringLiteral("%1: secret %2 is not set; set it with 'slipway-cli secret set %3 %2' (value on "
                           "standard input)")
                .arg(whose, name, app));
    };
    for (const QString &name : names)
        if (!secrets.contains(name))
            return missing(name);
    if (!keychain::hasSessionBus())
        return keychain::noSessionBus();
    auto key = hashKey(true, stop);
    if (!key)
        return key.error();
    for (const QString &name : names) {
        auto read = keychain::read(keyFor(app, name), secretOf(app, name), m_timeout, stop);
        if (!read)
            return read.error();
        if (read->noBackend)
            return Error::failed(
                keychain::noKeychainMessage(QStringLiteral("nothing answers on the session bus")));
        if (!read->data)
            return missing(name); // listed, but taken out of the keychain by hand
        resolved.values.insert(name, QString::fromUtf8(*read->data));
        QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key.value());
        mac.addData(app.toUtf8());
        mac.addData("\0", 1);
        mac.addData(name.toUtf8());
        mac.addData("\0", 1);
        mac.addData(*read->data);
        resolved.hashes.insert(name, QString::fromLatin1(mac.result().toHex()));
    }
    return resolved;
}

} // namespace slipway
