#include "loadgenerator.h"

#include <QElapsedTimer>
#include <QUrl>

#include <chrono>
#include <tuple>

#include <curl/curl.h>

namespace slipway::test {
namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

size_t collect(char *data, size_t size, size_t count, void *body)
{
    static_cast<QByteArray *>(body)->append(data, qsizetype(size * count));
    return size * count;
}

} // namespace

LoadGenerator::LoadGenerator(QString url, QString host, int clients, int maxSeconds, int maxRequests)
    : m_url(std::move(url))
    , m_host(std::move(host))
    , m_clients(clients)
    , m_maxSeconds(maxSeconds)
    , m_maxRequests(maxRequests)
{}

LoadGenerator::~LoadGenerator()
{
    stop();
}

void LoadGenerator::start()
{
    m_startNs = nowNs();
    for (int i = 0; i < m_clients; ++i)
        m_threads.emplace_back([this, i] { run(i); });
}

void LoadGenerator::stop()
{
    m_stop = true;
    wait();
}

void LoadGenerator::wait()
{
    for (std::thread &thread : m_threads)
        thread.join();
    m_threads.clear();
}

qint64 LoadGenerator::elapsedMs() const
{
    return (nowNs() - m_startNs) / 1000000;
}

void LoadGenerator::run(int client)
{
    CURL *curl = curl_easy_init();
    const QByteArray url = m_url.toUtf8();
    const QByteArray hostHeader = "Host: " + m_host.toUtf8();
    curl_slist *headers = curl_slist_append(nullptr, hostHeader.constData());
    curl_easy_setopt(curl, CURLOPT_URL, url.constData());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    const QUrl parsed(m_url);
    const QByteArray resolve =
        QStringLiteral("%1:%2:127.0.0.1").arg(parsed.host()).arg(parsed.port(443)).toUtf8();
    curl_slist *resolves = curl_slist_append(nullptr, resolve.constData());
    if (parsed.host() != u"127.0.0.1")
        curl_easy_setopt(curl, CURLOPT_RESOLVE, resolves);
    const QByteArray caFile = m_caFile.toUtf8();
    if (!caFile.isEmpty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, caFile.constData());
    if (m_insecure) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
    }
    QList<Answer> mine;
    while (!m_stop && m_count.fetch_add(1) < m_maxRequests && elapsedMs() < qint64(m_maxSeconds) * 1000) {
        Answer answer;
        answer.client = client;
        answer.index = int(mine.size());
        answer.startedMs = elapsedMs();
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
        const CURLcode code = curl_easy_perform(curl);
        answer.endedMs = elapsedMs();
        if (code == CURLE_OK) {
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
            curl_easy_getinfo(curl, CURLINFO_LOCAL_PORT, &answer.localPort);
            curl_certinfo *certificates = nullptr;
            if (m_insecure && curl_easy_getinfo(curl, CURLINFO_CERTINFO, &certificates) == CURLE_OK &&
                certificates && certificates->num_of_certs > 0) {
                QString text;
                for (curl_slist *line = certificates->certinfo[0]; line; line = line->next)
                    text += QString::fromUtf8(line->data) + u'\n';
                QMutexLocker lock(&m_mutex);
                m_certificate = text;
            }
        } else
            answer.body = curl_easy_strerror(code);
        mine.append(answer);
    }
    curl_slist_free_all(headers);
    curl_slist_free_all(resolves);
    curl_easy_cleanup(curl);
    QMutexLocker lock(&m_mutex);
    m_answers.append(mine);
}

QString LoadGenerator::askOnce(const QString &url, const QString &host, const QString &caFile)
{
    LoadGenerator one(url, host, 1, 30, 1);
    one.setCaFile(caFile);
    one.start();
    one.wait();
    const QList<Answer> answers = one.answers();
    if (answers.isEmpty())
        return QStringLiteral("no answer");
    const QString body = QString::fromUtf8(answers.first().body).simplified();
    return answers.first().status == 200 ? body
                                         : QStringLiteral("HTTP %1 %2").arg(answers.first().status).arg(body);
}

QString LoadGenerator::certificate() const
{
    QMutexLocker lock(&m_mutex);
    return m_certificate;
}

QList<LoadGenerator::Answer> LoadGenerator::answers() const
{
    QMutexLocker lock(&m_mutex);
    QList<Answer> sorted = m_answers;
    // Times are whole milliseconds: two requests of a client can end in the same one.
    std::sort(sorted.begin(), sorted.end(), [](const Answer &x, const Answer &y) {
        return std::tie(x.endedMs, x.client, x.index) < std::tie(y.endedMs, y.client, y.index);
    });
    return sorted;
}

QList<LoadGenerator::Answer> LoadGenerator::ofClient(const QList<Answer> &answers, int client)
{
    QList<Answer> mine;
    for (const Answer &answer : answers)
        if (answer.client == client)
            mine.append(answer);
    std::sort(mine.begin(), mine.end(), [](const Answer &x, const Answer &y) { return x.index < y.index; });
    return mine;
}

int LoadGenerator::failures(const QList<Answer> &answers)
{
    return int(
        std::count_if(answers.begin(), answers.end(), [](const Answer &a) { return a.status != 200; }));
}

QString LoadGenerator::describe(const QList<Answer> &answers)
{
    QStringList failed;
    for (const Answer &answer : answers)
        if (answer.status != 200 && failed.size() < 5)
            failed.append(QStringLiteral("at %1 ms: %2 %3")
                              .arg(answer.startedMs)
                              .arg(answer.status)
                              .arg(QString::fromUtf8(answer.body.left(120)).simplified()));
    return QStringLiteral("%1 requests, %2 failed%3")
        .arg(answers.size())
        .arg(failures(answers))
        .arg(failed.isEmpty() ? QString() : QStringLiteral("; first: ") + failed.join(QStringLiteral("; ")));
}

} // namespace slipway::test
