#pragma once

#include "archive/blobencoder.h"

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

// The Settings page: how layers are compressed, how many build threads, where the cache is and
// how big. Stored in QSettings; the DeployController reads the same values when a build starts.
// The cache size is summed and the cache cleared on a pool thread, never on the GUI thread.
// Not final: QML_ELEMENT derives from it.
class AppSettings : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    Q_PROPERTY(QString compression READ compression WRITE setCompression NOTIFY changed)
    Q_PROPERTY(int level READ level WRITE setLevel NOTIFY changed)
    Q_PROPERTY(int jobs READ jobs WRITE setJobs NOTIFY changed)
    Q_PROPERTY(QString cacheLocation READ cacheLocation WRITE setCacheLocation NOTIFY changed)
    Q_PROPERTY(QString defaultCacheLocation READ defaultCacheLocation CONSTANT)
    Q_PROPERTY(qint64 cacheSize READ cacheSize NOTIFY cacheSizeChanged) // -1 while unknown
    Q_PROPERTY(bool cacheBusy READ cacheBusy NOTIFY cacheSizeChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(int minimumLevel READ minimumLevelNow NOTIFY changed)
    Q_PROPERTY(int maximumLevel READ maximumLevelNow NOTIFY changed)

public:
    // defaultCacheDir: the cache of the data directory (DataDirs::cache).
    explicit AppSettings(const QString &defaultCacheDir, QObject *parent = nullptr);
    ~AppSettings() override;

    QString compression() const;
    void setCompression(const QString &name);
    // The level stored for the current algorithm, or its default.
    int level() const;
    void setLevel(int level);
    int jobs() const; // 0: one per core
    void setJobs(int jobs);
    QString cacheLocation() const;
    void setCacheLocation(const QString &path);
    QString defaultCacheLocation() const { return m_defaultCacheDir; }

    qint64 cacheSize() const { return m_cacheSize; }
    bool cacheBusy() const { return m_cacheBusy; }
    QString message() const { return m_message; }

    // What a build uses: a valid Compression whatever the stored strings say.
    slipway::Compression buildCompression() const;

    int minimumLevelNow() const { return minimumLevel(compression()); }
    int maximumLevelNow() const { return maximumLevel(compression()); }
    static int minimumLevel(const QString &compression);
    static int maximumLevel(const QString &compression);
    static QString formatSize(qint64 bytes);

    // Sums the cache's files on a pool thread.
    Q_INVOKABLE void refreshCacheSize();
    // Removes what the cache holds (mirrors, blobs, layer cache) on a pool thread; the next
    // build starts cold. The page asks for confirmation first.
    Q_INVOKABLE void clearCache();

Q_SIGNALS:
    void changed();
    void cacheSizeChanged();
    void messageChanged();

private:
    void setCacheState(bool busy, qint64 size);
    void setMessage(const QString &message);

    QString m_defaultCacheDir;
    qint64 m_cacheSize = -1;
    bool m_cacheBusy = false;
    QString m_message;
    std::stop_source m_stop;
};
