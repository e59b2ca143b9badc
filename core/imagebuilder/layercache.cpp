#include "layercache.h"

#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <cstdio>

namespace slipway {
namespace {

// Bump when the tar layout changes, so old entries stop matching.
constexpr int tarFormatVersion = 1;

void hashField(Sha256 &hash, const QString &value)
{
    const QByteArray bytes = value.toUtf8();
    hash.update(bytes);
    hash.update("\0", 1);
}

} // namespace

LayerCache::LayerCache(QString directory, const ContentStore &store)
    : m_directory(std::move(directory))
    , m_store(store)
{}

QString LayerCache::key(const LayerSpec &layer, const QList<SourceFile> &files,
                        const Compression &compression, qint64 mtime)
{
    Sha256 hash;
    hashField(hash, QStringLiteral("slipway-layer-v%1").arg(tarFormatVersion));
    hashField(hash, layer.dest);
    hashField(hash, compression.cacheKey());
    hashField(hash, QString::number(mtime));
    for (const SourceFile &file : files) {
        hashField(hash, file.path);
        hashField(hash, QString::number(int(file.kind)));
        hash.update(file.id);
        hash.update("\0", 1);
        if (file.kind == SourceFile::Kind::Symlink)
            hashField(hash, file.linkTarget);
    }
    return hash.hexDigest();
}

QString LayerCache::importKey(const QString &diffId, const Compression &compression)
{
    Sha256 hash;
    hashField(hash, QStringLiteral("slipway-import-v1"));
    hashField(hash, diffId);
    hashField(hash, compression.cacheKey());
    return hash.hexDigest();
}

std::optional<LayerBlob> LayerCache::find(const QString &key) const
{
    QFile file(QDir(m_directory).filePath(key + QStringLiteral(".json")));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject object = QJsonDocument::fromJson(file.readAll()).object();
    LayerBlob blob{object.value(QStringLiteral("digest")).toString(),
                   object.value(QStringLiteral("diffId")).toString(),
                   object.value(QStringLiteral("mediaType")).toString(),
                   qint64(object.value(QStringLiteral("size")).toDouble()),
                   qint64(object.value(QStringLiteral("uncompressedSize")).toDouble()),
                   qint64(object.value(QStringLiteral("files")).toDouble())};
    if (!isSha256Digest(blob.digest) || !isSha256Digest(blob.diffId) ||
        m_store.size(blob.digest) != blob.size)
        return std::nullopt;
    return blob;
}

Status LayerCache::remember(const QString &key, const LayerBlob &blob) const
{
    if (!QDir().mkpath(m_directory))
        return Error::failed(QStringLiteral("cannot create the layer cache %1").arg(m_directory));
    const QJsonObject object{{QStringLiteral("digest"), blob.digest},
                             {QStringLiteral("diffId"), blob.diffId},
                             {QStringLiteral("mediaType"), blob.mediaType},
                             {QStringLiteral("size"), blob.size},
                             {QStringLiteral("uncompressedSize"), blob.uncompressedSize},
                             {QStringLiteral("files"), blob.files}};
    // The entry only points at a blob the store has made durable and find() checks, so it is
    // renamed into place without an fsync: a torn entry fails to parse and is rebuilt.
    const QString path = QDir(m_directory).filePath(key + QStringLiteral(".json"));
    QFile file(path + QStringLiteral(".tmp-") + QString::number(quintptr(QThread::currentThreadId()), 16));
    const QByteArray bytes = QJsonDocument(object).toJson(QJsonDocument::Compact);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size() ||
        !file.flush())
        return Error::failed(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    file.close();
    if (::rename(QFile::encodeName(file.fileName()).constData(), QFile::encodeName(path).constData()) != 0) {
        file.remove();
        return Error::failed(QStringLiteral("cannot write %1").arg(path));
    }
    return success();
}

} // namespace slipway
