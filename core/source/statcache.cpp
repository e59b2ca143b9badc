#include "source/statcache.h"

#include "util/logging.h"
#include "util/sha256.h"

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace slipway {

namespace {

constexpr quint32 kMagic = 0x53575343; // "SWSC"
constexpr quint32 kVersion = 1;

} // namespace

StatCache::Entry StatCache::Entry::fromStat(const struct stat &st)
{
    Entry entry;
    entry.size = qint64(st.st_size);
    entry.mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    entry.ctimeNs = qint64(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    entry.inode = quint64(st.st_ino);
    entry.mode = quint32(st.st_mode);
    return entry;
}

QString StatCache::pathFor(const QString &cacheDir, const QString &canonicalDirectory)
{
    return QDir(cacheDir).filePath(
        QStringLiteral("dirs/%1.stat").arg(Sha256::hexOf(canonicalDirectory.toUtf8())));
}

void StatCache::load(const QString &file)
{
    m_entries.clear();
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return;
    QDataStream stream(&in);
    stream.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint32 version = 0;
    quint32 count = 0;
    stream >> magic >> version >> count;
    if (magic != kMagic || version != kVersion)
        return;
    QHash<QByteArray, Entry> entries;
    entries.reserve(qsizetype(std::min<quint32>(count, 1u << 20)));
    for (quint32 i = 0; i < count && stream.status() == QDataStream::Ok; ++i) {
        QByteArray path;
        Entry entry;
        stream >> path >> entry.size >> entry.mtimeNs >> entry.ctimeNs >> entry.inode >> entry.mode >>
            entry.sha256;
        if (entry.sha256.size() != 32)
            break;
        entries.insert(path, entry);
    }
    if (stream.status() != QDataStream::Ok || entries.size() != qsizetype(count)) {
        qCWarning(lcSource) << "ignoring a damaged stat cache" << file;
        return;
    }
    m_entries = std::move(entries);
}

bool StatCache::save(const QString &file, QString *error) const
{
    if (!QDir().mkpath(QFileInfo(file).path())) {
        *error = QStringLiteral("cannot create %1").arg(QFileInfo(file).path());
        return false;
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        *error = out.errorString();
        return false;
    }
    QDataStream stream(&out);
    stream.setVersion(QDataStream::Qt_6_4);
    stream << kMagic << kVersion << quint32(m_entries.size());
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it) {
        const Entry &entry = it.value();
        stream << it.key() << entry.size << entry.mtimeNs << entry.ctimeNs << entry.inode << entry.mode
               << entry.sha256;
    }
    if (!out.commit()) {
        *error = out.errorString();
        return false;
    }
    return true;
}

const StatCache::Entry *StatCache::find(const QByteArray &path) const
{
    const auto it = m_entries.constFind(path);
    return it == m_entries.cend() ? nullptr : &it.value();
}

} // namespace slipway
