// The parts of the engine client that need no engine: Docker's multiplexed log stream and how
// endpoints are shown in messages.

#include "engine/endpoint.h"
#include "engine/engineclient.h"

#include <QTest>

using namespace slipway;

namespace {

QByteArray frame(int stream, const QByteArray &payload)
{
    QByteArray bytes(8, '\0');
    bytes[0] = char(stream);
    const quint32 size = quint32(payload.size());
    bytes[4] = char(size >> 24);
    bytes[5] = char(size >> 16);
    bytes[6] = char(size >> 8);
    bytes[7] = char(size);
    return bytes + payload;
}

} // namespace

class TestEngineStream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void demultiplexesFramesSplitAnywhere()
    {
        const QByteArray stream = frame(1, "out one\n") + frame(2, "err\n") + frame(1, "out two\n");
        // Every split point: frames reassemble across chunks.
        for (qsizetype split = 0; split <= stream.size(); ++split) {
            QByteArray pending;
            QStringList seen;
            const auto collect = [&](int which, const QByteArray &payload) {
                seen.append(QString::number(which) + u':' + QString::fromUtf8(payload));
            };
            EngineClient::demultiplex(pending, stream.left(split), collect);
            EngineClient::demultiplex(pending, stream.mid(split), collect);
            QCOMPARE(seen, (QStringList{QStringLiteral("1:out one\n"), QStringLiteral("2:err\n"),
                                        QStringLiteral("1:out two\n")}));
            QVERIFY(pending.isEmpty());
        }
    }

    void passesRawOutputThrough()
    {
        // A container with a TTY has no frame headers.
        QByteArray pending;
        QByteArray seen;
        EngineClient::demultiplex(pending, "plain text from a tty\n",
                                  [&](int stream, const QByteArray &payload) {
                                      QCOMPARE(stream, 1);
                                      seen += payload;
                                  });
        QCOMPARE(seen, QByteArray("plain text from a tty\n"));
    }

    void masksPasswordsInEndpoints()
    {
        QCOMPARE(displayEndpoint(QStringLiteral("ssh://deploy:hunter2@web1:22")),
                 QStringLiteral("ssh://deploy:***@web1:22"));
        QCOMPARE(displayEndpoint(QStringLiteral("ssh://deploy@web1:22/run/docker.sock")),
                 QStringLiteral("ssh://deploy@web1:22/run/docker.sock"));
        QCOMPARE(displayEndpoint(QStringLiteral("tcp://10.0.0.1:2376")),
                 QStringLiteral("tcp://10.0.0.1:2376"));
        const Target target{.name = QStringLiteral("web"),
                            .endpoint = QStringLiteral("ssh://deploy:hunter2@web1"),
                            .tlsCa = {},
                            .tlsCert = {},
                            .tlsKey = {},
                            .proxyImage = {},
                            .proxyHttpPort = 0,
                            .proxyHttpsPort = 0};
        QVERIFY(!describeTarget(target).contains(QStringLiteral("hunter2")));
        auto parsed = parseEndpoint(target);
        QVERIFY(!parsed.ok());
        QVERIFY2(!parsed.error().message.contains(QStringLiteral("hunter2")),
                 qPrintable(parsed.error().message));
    }
};

QTEST_GUILESS_MAIN(TestEngineStream)
#include "tst_enginestream.moc"
