// AppSettings: stored values with their defaults and bounds, the Compression a build gets, and
// the cache's size and Clear (which removes only what Slipway keeps there).

#include "uitestutil.h"

#include "controllers/appsettings.h"

#include <QSignalSpy>
#include <QTemporaryDir>

using namespace slipway::test;

class TestAppSettings final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { isolateSettings(); }
    void init() { QSettings().clear(); }

    void defaultsAndBounds()
    {
        AppSettings settings(QStringLiteral("/tmp/cache-default"));
        QCOMPARE(settings.compression(), QStringLiteral("gzip"));
        QCOMPARE(settings.level(), 3);
        QCOMPARE(settings.jobs(), 0);
        QCOMPARE(settings.cacheLocation(), QStringLiteral("/tmp/cache-default"));
        QSignalSpy changed(&settings, &AppSettings::changed);
        settings.setCompression(QStringLiteral("lz4")); // not an algorithm: ignored
        QCOMPARE(settings.compression(), QStringLiteral("gzip"));
        QCOMPARE(changed.size(), 0);
        settings.setCompression(QStringLiteral("zstd"));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(settings.level(), 3);
        settings.setLevel(99);
        QCOMPARE(settings.level(), 19);
        QCOMPARE(settings.maximumLevelNow(), 19);
        settings.setJobs(-4);
        QCOMPARE(settings.jobs(), 0);
        settings.setJobs(3);

        AppSettings again(QStringLiteral("/tmp/cache-default"));
        QCOMPARE(again.compression(), QStringLiteral("zstd"));
        QCOMPARE(again.level(), 19);
        QCOMPARE(again.jobs(), 3);
        const slipway::Compression compression = again.buildCompression();
        QCOMPARE(compression.algorithm, slipway::Compression::Algorithm::Zstd);
        QCOMPARE(compression.level, 19);
        again.setCompression(QStringLiteral("none"));
        QCOMPARE(again.buildCompression().algorithm, slipway::Compression::Algorithm::None);
    }

    void cacheSizeAndClear()
    {
        QTemporaryDir dir;
        QVERIFY(writeFileAt(dir.filePath(QStringLiteral("blobs/sha256/ab")), QByteArray(1000, 'x')));
        QVERIFY(writeFileAt(dir.filePath(QStringLiteral("git/m.git/HEAD")), QByteArray(234, 'y')));
        QVERIFY(writeFileAt(dir.filePath(QStringLiteral("keep/mine.txt")), QByteArray(10, 'z')));
        AppSettings settings(QStringLiteral("/tmp/elsewhere"));
        settings.setCacheLocation(dir.path());
        QCOMPARE(settings.cacheLocation(), dir.path());
        QTRY_VERIFY(!settings.cacheBusy());
        QCOMPARE(settings.cacheSize(), 1244);

        settings.clearCache();
        QVERIFY(settings.cacheBusy());
        QTRY_VERIFY(!settings.cacheBusy());
        QCOMPARE(settings.cacheSize(), 10);
        QCOMPARE(settings.message(), QStringLiteral("Cache cleared."));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("blobs"))));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("keep/mine.txt"))));

        settings.setCacheLocation(QStringLiteral("/tmp/elsewhere")); // the default again
        QVERIFY(QSettings().value(QStringLiteral("cache/location")).toString().isEmpty());
    }

private:
    static bool writeFileAt(const QString &path, const QByteArray &data)
    {
        QDir().mkpath(QFileInfo(path).path());
        QFile file(path);
        return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
