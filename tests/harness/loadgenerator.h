#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>

#include <atomic>
#include <thread>
#include <vector>

namespace slipway::test {

// Clients that ask one URL over and over, each on its own thread with its own keep-alive
// connection (libcurl's, which, as browsers do, asks again on a fresh connection when a reused
// one turns out closed), until stopped: the zero-downtime tests' traffic. Bounded in time and
// in count, so a test that forgets to stop it ends all the same.
class LoadGenerator final
{
public:
    struct Answer
    {
        int client = 0;       // which of the clients asked
        int index = 0;        // the how-manieth request of its client
        qint64 startedMs = 0; // since the generator started
        qint64 endedMs = 0;
        long status = 0;    // 0: no HTTP answer
        long localPort = 0; // of the connection it came on
        QByteArray body;    // or libcurl's error
    };

    // `url` on 127.0.0.1; `host`: the Host header to send.
    LoadGenerator(QString url, QString host, int clients = 20, int maxSeconds = 180,
                  int maxRequests = 400000);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    // Trust this CA for https:// URLs (verification stays on); the URL's host name is resolved
    // to 127.0.0.1.
    void setCaFile(const QString &caFile) { m_caFile = caFile; }
    // Or trust whatever certificate the server shows, keeping its first one (certificate()).
    void setInsecure() { m_insecure = true; }
    // With setInsecure(): the text form of the certificate the last answer came with.
    QString certificate() const;

    void start();
    void stop();
    // Until the clients are done on their own (maxRequests or maxSeconds).
    void wait();
    qint64 elapsedMs() const;

    // One request for `url` with `host`'s Host header (trusting `caFile` for https://): the
    // body, simplified, or "HTTP N BODY", or "no answer".
    static QString askOnce(const QString &url, const QString &host, const QString &caFile = {});

    // After stop(): every answer, in the order they ended.
    QList<Answer> answers() const;
    // Those of one client, in the order it asked.
    static QList<Answer> ofClient(const QList<Answer> &answers, int client);
    int clients() const { return m_clients; }
    // "N requests, M failed; first failures: ..." for messages.
    static QString describe(const QList<Answer> &answers);
    static int failures(const QList<Answer> &answers);

private:
    void run(int client);

    QString m_url;
    QString m_host;
    QString m_caFile;
    bool m_insecure = false;
    QString m_certificate;
    int m_clients;
    int m_maxSeconds;
    int m_maxRequests;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_count{0};
    qint64 m_startNs = 0;
    std::vector<std::thread> m_threads;
    mutable QMutex m_mutex;
    QList<Answer> m_answers;
};

} // namespace slipway::test
