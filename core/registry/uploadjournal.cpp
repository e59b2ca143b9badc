#include "registry/uploadjournal.h"

#include "util/logging.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace slipway {
namespace {

const QString registryKey = QStringLiteral("registry");
const QString repositoryKey = QStringLiteral("repository");
const QString digestKey = QStringLiteral("digest");
const QString sizeKey = QStringLiteral("size");
const QString locationKey = QStringLiteral("location");
const QString offsetKey = QStringLiteral("offset");
const QString updatedKey = QStringLiteral("updated");

bool isStale(const QDateTime &updated)
{
    const auto age = std::chrono::seconds(updated.secsTo(QDateTime::currentDateTimeUtc()));
    return !updated.isValid() || age > UploadJournal::maxAge || age.count() < -60;
}

} // namespace

QString UploadJournal::pathFor(const QString &registry, const QString &repository,
                               const QString &digest) const
{
    const QByteArray key = (registry + u'\n' + repository + u'\n' + digest).toUtf8();
    return m_directory + u'/' + Sha256::digestOf(key).section(u':', 1).left(32) + QStringLiteral(".json");
}

std::optional<UploadJournal::Entry> UploadJournal::find(const QString &registry, const QString &repository,
                                                        const QString &digest, qint64 size) const
{
    if (!isEnabled())
        return std::nullopt;
    const QString path = pathFor(registry, repository, digest);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.read(64 * 1024)).object();
    file.close();
    Entry entry{json.value(locationKey).toString(), json.value(offsetKey).toInteger(-1)};
    const bool same = json.value(registryKey).toString() == registry &&
                      json.value(repositoryKey).toString() == repository &&
                      json.value(digestKey).toString() == digest && json.value(sizeKey).toInteger(-1) == size;
    const QDateTime updated = QDateTime::fromString(json.value(updatedKey).toString(), Qt::ISODate);
    if (!same || entry.location.isEmpty() || entry.offset < 0 || entry.offset > size || isStale(updated)) {
        qCDebug(lcRegistry) << "forgetting the upload journal entry" << path;
        QFile::remove(path);
        return std::nullopt;
    }
    return entry;
}

void UploadJournal::save(const QString &registry, const QString &repository, const QString &digest,
                         qint64 size, const Entry &entry) const
{
    if (!isEnabled())
        return;
    const QString path = pathFor(registry, repository, digest);
    const bool fresh = !QFile::exists(path);
    if (fresh) {
        if (!QDir().mkpath(m_directory) ||
            !QFile::setPermissions(m_directory, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner)) {
            qCWarning(lcRegistry) << "cannot make the upload journal" << m_directory;
            return;
        }
        forgetStale();
    }
    const QJsonObject json{{registryKey, registry},
                           {repositoryKey, repository},
                           {digestKey, digest},
                           {sizeKey, size},
                           {locationKey, entry.location},
                           {offsetKey, entry.offset},
                           {updatedKey, QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(json).toJson(QJsonDocument::Compact)) < 0 || !file.commit())
        qCWarning(lcRegistry) << "cannot write the upload journal entry" << path << file.errorString();
}

void UploadJournal::remove(const QString &registry, const QString &repository, const QString &digest) const
{
    if (isEnabled())
        QFile::remove(pathFor(registry, repository, digest));
}

void UploadJournal::forgetStale() const
{
    const QDir directory(m_directory);
    for (const QFileInfo &info : directory.entryInfoList({QStringLiteral("*.json")}, QDir::Files)) {
        const auto age = std::chrono::seconds(info.lastModified().secsTo(QDateTime::currentDateTime()));
        if (age > maxAge)
            QFile::remove(info.filePath());
    }
}

} // namespace slipway
