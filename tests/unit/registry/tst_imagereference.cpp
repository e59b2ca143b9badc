#include "registry/imagereference.h"

#include <QTest>

using namespace slipway;

namespace {

const QString digestA = QStringLiteral("sha256:") + QString(64, u'a');

} // namespace

class TestImageReference final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalises_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("registry");
        QTest::addColumn<QString>("repository");
        QTest::addColumn<QString>("tag");
        QTest::addColumn<QString>("digest");
        QTest::addColumn<QString>("full");
        QTest::addColumn<QString>("familiar");

        const QString hub = QStringLiteral("docker.io");
        const QString latest = QStringLiteral("latest");
        const QString busybox = QStringLiteral("library/busybox");
        const QString busyboxFull = QStringLiteral("docker.io/library/busybox:latest");
        const QString busyboxShort = QStringLiteral("busybox:latest");
        QTest::newRow("official image") << QStringLiteral("busybox") << hub << busybox << latest << QString()
                                        << busyboxFull << busyboxShort;
        QTest::newRow("official with tag")
            << QStringLiteral("busybox:1.36") << hub << busybox << QStringLiteral("1.36") << QString()
            << QStringLiteral("docker.io/library/busybox:1.36") << QStringLiteral("busybox:1.36");
        QTest::newRow("library spelled out") << QStringLiteral("library/busybox") << hub << busybox << latest
                                             << QString() << busyboxFull << busyboxShort;
        QTest::newRow("docker.io spelled out") << QStringLiteral("docker.io/busybox") << hub << busybox
                                               << latest << QString() << busyboxFull << busyboxShort;
        QTest::newRow("fully spelled out") << QStringLiteral("docker.io/library/busybox:latest") << hub
                                           << busybox << latest << QString() << busyboxFull << busyboxShort;
        QTest::newRow("legacy index host") << QStringLiteral("index.docker.io/library/busybox") << hub
                                           << busybox << latest << QString() << busyboxFull << busyboxShort;
        QTest::newRow("legacy index host, official")
            << QStringLiteral("index.docker.io/busybox") << hub << busybox << latest << QString()
            << busyboxFull << busyboxShort;
        QTest::newRow("hub user repository")
            << QStringLiteral("someone/app") << hub << QStringLiteral("someone/app") << latest << QString()
            << QStringLiteral("docker.io/someone/app:latest") << QStringLiteral("someone/app:latest");
        QTest::newRow("nested library path keeps its prefix")
            << QStringLiteral("library/a/b:1") << hub << QStringLiteral("library/a/b") << QStringLiteral("1")
            << QString() << QStringLiteral("docker.io/library/a/b:1") << QStringLiteral("library/a/b:1");
        QTest::newRow("other registry")
            << QStringLiteral("ghcr.io/owner/app:v1.2.3") << QStringLiteral("ghcr.io")
            << QStringLiteral("owner/app") << QStringLiteral("v1.2.3") << QString()
            << QStringLiteral("ghcr.io/owner/app:v1.2.3") << QStringLiteral("ghcr.io/owner/app:v1.2.3");
        QTest::newRow("single component on another registry")
            << QStringLiteral("quay.io/app") << QStringLiteral("quay.io") << QStringLiteral("app") << latest
            << QString() << QStringLiteral("quay.io/app:latest") << QStringLiteral("quay.io/app:latest");
        QTest::newRow("localhost") << QStringLiteral("localhost/app") << QStringLiteral("localhost")
                                   << QStringLiteral("app") << latest << QString()
                                   << QStringLiteral("localhost/app:latest")
                                   << QStringLiteral("localhost/app:latest");
        QTest::newRow("localhost with port")
            << QStringLiteral("localhost:5000/team/app:dev") << QStringLiteral("localhost:5000")
            << QStringLiteral("team/app") << QStringLiteral("dev") << QString()
            << QStringLiteral("localhost:5000/team/app:dev") << QStringLiteral("localhost:5000/team/app:dev");
        QTest::newRow("ipv4 with port")
            << QStringLiteral("127.0.0.1:5000/app") << QStringLiteral("127.0.0.1:5000")
            << QStringLiteral("app") << latest << QString() << QStringLiteral("127.0.0.1:5000/app:latest")
            << QStringLiteral("127.0.0.1:5000/app:latest");
        QTest::newRow("ipv6 with port")
            << QStringLiteral("[::1]:5000/app:1") << QStringLiteral("[::1]:5000") << QStringLiteral("app")
            << QStringLiteral("1") << QString() << QStringLiteral("[::1]:5000/app:1")
            << QStringLiteral("[::1]:5000/app:1");
        QTest::newRow("host with port, deep path")
            << QStringLiteral("registry.example.com:443/a/b/c") << QStringLiteral("registry.example.com:443")
            << QStringLiteral("a/b/c") << latest << QString()
            << QStringLiteral("registry.example.com:443/a/b/c:latest")
            << QStringLiteral("registry.example.com:443/a/b/c:latest");
        QTest::newRow("host:port alone is a hub image with a tag")
            << QStringLiteral("localhost:5000") << hub << QStringLiteral("library/localhost")
            << QStringLiteral("5000") << QString() << QStringLiteral("docker.io/library/localhost:5000")
            << QStringLiteral("localhost:5000");
        QTest::newRow("digest, no default tag")
            << QStringLiteral("busybox@") + digestA << hub << busybox << QString() << digestA
            << QStringLiteral("docker.io/library/busybox@") + digestA << QStringLiteral("busybox@") + digestA;
        QTest::newRow("tag and digest")
            << QStringLiteral("localhost:5000/app:1.0@") + digestA << QStringLiteral("localhost:5000")
            << QStringLiteral("app") << QStringLiteral("1.0") << digestA
            << QStringLiteral("localhost:5000/app:1.0@") + digestA
            << QStringLiteral("localhost:5000/app:1.0@") + digestA;
        QTest::newRow("separators") << QStringLiteral("example.com/a.b/c_d/e__f/g-h/i---j")
                                    << QStringLiteral("example.com")
                                    << QStringLiteral("a.b/c_d/e__f/g-h/i---j") << latest << QString()
                                    << QStringLiteral("example.com/a.b/c_d/e__f/g-h/i---j:latest")
                                    << QStringLiteral("example.com/a.b/c_d/e__f/g-h/i---j:latest");
        QTest::newRow("upper-case tag and host")
            << QStringLiteral("Registry.Example.com/app:V1_x") << QStringLiteral("Registry.Example.com")
            << QStringLiteral("app") << QStringLiteral("V1_x") << QString()
            << QStringLiteral("Registry.Example.com/app:V1_x")
            << QStringLiteral("Registry.Example.com/app:V1_x");
        const QString longest = QStringLiteral("x/") + QString(243, u'a'); // docker.io/ + 245 = 255
        QTest::newRow("255 characters") << longest << hub << longest << latest << QString()
                                        << QStringLiteral("docker.io/") + longest + QStringLiteral(":latest")
                                        << longest + QStringLiteral(":latest");
    }
    void normalises()
    {
        QFETCH(QString, text);
        QFETCH(QString, registry);
        QFETCH(QString, repository);
        QFETCH(QString, tag);
        QFETCH(QString, digest);
        QFETCH(QString, full);
        QFETCH(QString, familiar);
        const Result<ImageReference> parsed = ImageReference::parse(text);
        QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().message));
        QCOMPARE(parsed->registry, registry);
        QCOMPARE(parsed->repository, repository);
        QCOMPARE(parsed->tag, tag);
        QCOMPARE(parsed->digest, digest);
        QCOMPARE(parsed->toString(), full);
        QCOMPARE(parsed->familiar(), familiar);

        // The normalised form parses to the same reference.
        const Result<ImageReference> again = ImageReference::parse(parsed->toString());
        QVERIFY(again);
        QCOMPARE(again->toString(), full);
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("complaint");
        QTest::newRow("empty") << QString() << QStringLiteral("it is empty");
        QTest::newRow("upper-case") << QStringLiteral("Foo/bar")
                                    << QStringLiteral("repository names must be lower-case");
        QTest::newRow("upper-case official")
            << QStringLiteral("BusyBox:1") << QStringLiteral("repository names must be lower-case");
        QTest::newRow("upper-case after a host")
            << QStringLiteral("ghcr.io/Owner/app") << QStringLiteral("repository names must be lower-case");
        QTest::newRow("image id") << QString(64, u'f') << QStringLiteral("image id");
        QTest::newRow("empty tag") << QStringLiteral("app:") << QStringLiteral("'' is not a valid tag");
        QTest::newRow("tag starting with a dash")
            << QStringLiteral("app:-x") << QStringLiteral("'-x' is not a valid tag");
        QTest::newRow("tag too long")
            << QStringLiteral("app:") + QString(129, u't') << QStringLiteral("is not a valid tag");
        QTest::newRow("short digest") << QStringLiteral("app@sha256:abc") << QStringLiteral("digest");
        QTest::newRow("upper-case digest")
            << QStringLiteral("app@sha256:") + QString(64, u'A') << QStringLiteral("digest");
        QTest::newRow("other algorithm")
            << QStringLiteral("app@sha512:") + QString(64, u'a') << QStringLiteral("digest");
        QTest::newRow("empty digest") << QStringLiteral("app@") << QStringLiteral("digest");
        QTest::newRow("too long") << QStringLiteral("x/") + QString(244, u'a')
                                  << QStringLiteral("longer than 255 characters");
        QTest::newRow("empty component")
            << QStringLiteral("foo//bar") << QStringLiteral("empty path component");
        QTest::newRow("trailing slash") << QStringLiteral("foo/") << QStringLiteral("empty path component");
        QTest::newRow("leading slash") << QStringLiteral("/foo") << QStringLiteral("empty path component");
        QTest::newRow("host only") << QStringLiteral("example.com/")
                                   << QStringLiteral("repository name is missing");
        QTest::newRow("leading separator")
            << QStringLiteral("-app") << QStringLiteral("'-app' is not a valid repository path component");
        QTest::newRow("mixed separators")
            << QStringLiteral("foo_-bar")
            << QStringLiteral("'foo_-bar' is not a valid repository path component");
        QTest::newRow("space") << QStringLiteral("my app") << QStringLiteral("white space");
        QTest::newRow("non-ASCII") << QStringLiteral("caf\u00e9") << QStringLiteral("non-ASCII");
        QTest::newRow("bad port") << QStringLiteral("localhost:http/app")
                                  << QStringLiteral("'localhost:http' is not a valid registry host");
        QTest::newRow("two tags") << QStringLiteral("app:1:2")
                                  << QStringLiteral("'app:1' is not a valid repository path component");
    }
    void rejects()
    {
        QFETCH(QString, text);
        QFETCH(QString, complaint);
        const Result<ImageReference> parsed = ImageReference::parse(text);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().kind, Error::Kind::BadInput);
        const QString &message = parsed.error().message;
        QVERIFY2(message.startsWith(QStringLiteral("invalid image reference '%1': ").arg(text)),
                 qPrintable(message));
        QVERIFY2(message.contains(complaint), qPrintable(message));
        QVERIFY(!message.contains(u'\n'));
    }

    void namesTheProblemExactly()
    {
        const Result<ImageReference> parsed = ImageReference::parse(QStringLiteral("Foo/bar"));
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().message,
                 QStringLiteral("invalid image reference 'Foo/bar': repository names must be lower-case"));
    }

    void controlCharactersStayOnOneLine()
    {
        // A trailing newline must not slip through an end-of-line anchor.
        const QString text = QStringLiteral("app@") + digestA + u'\n';
        const Result<ImageReference> parsed = ImageReference::parse(text);
        QVERIFY(!parsed);
        QCOMPARE(parsed.error().message, QStringLiteral("invalid image reference 'app@") + digestA +
                                             QStringLiteral("\\n': it contains white space, control or "
                                                            "non-ASCII characters"));
        QVERIFY(!ImageReference::parse(QStringLiteral("app:latest\n")));
        QVERIFY(!ImageReference::parse(QStringLiteral("app\t")));
    }

    void loopbackIsInsecureByDefault_data()
    {
        QTest::addColumn<QString>("registry");
        QTest::addColumn<bool>("insecure");
        QTest::newRow("localhost") << QStringLiteral("localhost") << true;
        QTest::newRow("localhost:5000") << QStringLiteral("localhost:5000") << true;
        QTest::newRow("LOCALHOST:5000") << QStringLiteral("LOCALHOST:5000") << true;
        QTest::newRow("127.0.0.1") << QStringLiteral("127.0.0.1") << true;
        QTest::newRow("127.1.2.3:5000") << QStringLiteral("127.1.2.3:5000") << true;
        QTest::newRow("[::1]") << QStringLiteral("[::1]") << true;
        QTest::newRow("[::1]:5000") << QStringLiteral("[::1]:5000") << true;
        QTest::newRow("docker.io") << QStringLiteral("docker.io") << false;
        QTest::newRow("128.0.0.1") << QStringLiteral("128.0.0.1") << false;
        QTest::newRow("127.0.0.256") << QStringLiteral("127.0.0.256") << false;
        QTest::newRow("10.0.0.1:5000") << QStringLiteral("10.0.0.1:5000") << false;
        QTest::newRow("localhost.example.com") << QStringLiteral("localhost.example.com") << false;
        QTest::newRow("127.0.0.1.example.com") << QStringLiteral("127.0.0.1.example.com") << false;
        QTest::newRow("[::2]:5000") << QStringLiteral("[::2]:5000") << false;
        QTest::newRow("registry:5000") << QStringLiteral("registry:5000") << false;
    }
    void loopbackIsInsecureByDefault()
    {
        QFETCH(QString, registry);
        QFETCH(bool, insecure);
        QCOMPARE(isInsecureByDefault(registry), insecure);
    }
};

QTEST_GUILESS_MAIN(TestImageReference)
#include "tst_imagereference.moc"
