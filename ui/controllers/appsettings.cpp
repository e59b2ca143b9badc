#include "controllers/appsettings.h"

#include "models/whendone.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using slipway::Compression;

namespace {

const QString compressionKey = QStringLiteral("build/compression");
const QString jobsKey = QStringLiteral("build/jobs");
const QString cacheKey = QStringLiteral("cache/location");

QString levelKey(const QString &compression)
{
    return QStringLiteral("build/level-") + compression;
}

qint64 directorySize(const QString &path, const std::stop_token &stop)
{
    qint64 total = 0;
    QDirIterator it(path, QDir::Files | QDir::Hidden | QDir::System | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext() && !stop.stop_requested()) {
        it.next();
        total += it.fileInfo().size();
    }
    return total;
}

} // namespace

AppSettings::AppSettings(const QString &defaultCacheDir, QObject *parent)
    : QObject(parent)
    , m_defaultCacheDir(defaultCacheDir)
{}

AppSettings::~AppSettings()
{
    m_stop.request_stop();
}

QString AppSettings::compression() const
{
    const QString name = QSettings().value(compressionKey, QStringLiteral("gzip")).toString();
    return Compression::fromName(name) ? name : QStringLiteral("gzip");
}

void AppSettings::setCompression(const QString &name)
{
    if (name == compression() || !Compression::fromName(name))
        return;
    QSettings().setValue(compressionKey, name);
    Q_EMIT changed();
}

int AppSettings::level() const
{
    const QString algorithm = compression();
    const auto defaults = Compression::fromName(algorithm);
    const int fallback = defaults ? defaults->level : 0;
    const int stored = QSettings().value(levelKey(algorithm), fallback).toInt();
    return std::clamp(stored, minimumLevel(algorithm), maximumLevel(algorithm));
}

void AppSettings::setLevel(int level)
{
    const QString algorithm = compression();
    level = std::clamp(level, minimumLevel(algorithm), maximumLevel(algorithm));
    if (level == this->level())
        return;
    QSettings().setValue(levelKey(algorithm), level);
    Q_EMIT changed();
}

int AppSettings::jobs() const
{
    return std::clamp(QSettings().value(jobsKey, 0).toInt(), 0, 256);
}

void AppSettings::setJobs(int jobs)
{
    jobs = std::clamp(jobs, 0, 256);
    if (jobs == this->jobs())
        return;
    QSettings().setValue(jobsKey, jobs);
    Q_EMIT changed();
}

QString AppSettings::cacheLocation() const
{
    const QString stored = QSettings().value(cacheKey).toString();
    return stored.isEmpty() ? m_defaultCacheDir : stored;
}

void AppSettings::setCacheLocation(const QString &path)
{
    const QString cleaned = path.trimmed() == m_defaultCacheDir ? QString() : path.trimmed();
    if (cleaned == QSettings().value(cacheKey).toString())
        return;
    if (cleaned.isEmpty())
        QSettings().remove(cacheKey);
    else
        QSettings().setValue(cacheKey, cleaned);
    Q_EMIT changed();
    refreshCacheSize();
}

Compression AppSettings::buildCompression() const
{
    auto made = Compression::fromName(compression(), compression() == u"none" ? -1 : level());
    return made ? made.value() : Compression();
}

int AppSettings::minimumLevel(const QString &compression)
{
    return compression == u"none" ? 0 : 1;
}

int AppSettings::maximumLevel(const QString &compression)
{
    if (compression == u"zstd")
        return 19;
    return compression == u"none" ? 0 : 12;
}

QString AppSettings::formatSize(qint64 bytes)
{
    if (bytes < 0)
        return QStringLiteral("…");
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

void AppSettings::refreshCacheSize()
{
    setCacheState(true, m_cacheSize);
    const QString path = cacheLocation();
    const std::stop_token stop = m_stop.get_token();
    whenDone(this, QtConcurrent::run([path, stop] { return directorySize(path, stop); }),
             [this](qint64 size) { setCacheState(false, size); });
}

void AppSettings::clearCache()
{
    if (m_cacheBusy)
        return;
    setCacheState(true, m_cacheSize);
    const QString path = cacheLocation();
    whenDone(this, QtConcurrent::run([path] {
                 // Only what Slipway puts there: a cache location set to a wrong folder loses nothing else.
                 QStringList failed;
                 for (const QString &name :
                      {QStringLiteral("git"), QStringLiteral("blobs"), QStringLiteral("layers"),
                       QStringLiteral("dirs"), QStringLiteral("ingest")}) {
                     QDir dir(QDir(path).filePath(name));
                     if (dir.exists() && !dir.removeRecursively())
                         failed.append(dir.path());
                 }
                 return failed;
             }),
             [this](const QStringList &failed) {
                 setMessage(failed.isEmpty()
                                ? tr("Cache cleared.")
                                : tr("Could not remove %1").arg(failed.join(QStringLiteral(", "))));
                 m_cacheBusy = false;
                 refreshCacheSize();
             });
}

void AppSettings::setCacheState(bool busy, qint64 size)
{
    if (busy == m_cacheBusy && size == m_cacheSize)
        return;
    m_cacheBusy = busy;
    m_cacheSize = size;
    Q_EMIT cacheSizeChanged();
}

void AppSettings::setMessage(const QString &message)
{
    if (message == m_message)
        return;
    m_message = message;
    Q_EMIT messageChanged();
}
