// KnownHosts reads OpenSSH known_hosts files the way ssh(1) does for the cases Slipway needs.

#include "source/knownhosts.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace slipway;

namespace {

// A wire-format key blob: string type, string key.
QByteArray keyBlob(const QByteArray &type, const QByteArray &key)
{
    QByteArray blob;
    auto appendString = [&blob](const QByteArray &s) {
        const quint32 n = quint32(s.size());
        blob.append(char(n >> 24)).append(char(n >> 16)).append(char(n >> 8)).append(char(n));
        blob.append(s);
    };
    appendString(type);
    appendString(key);
    return blob;
}

QByteArray line(const QByteArray &hosts, const QByteArray &blob)
{
    return hosts + ' ' + KnownHosts::keyType(blob) + ' ' + blob.toBase64() + " comment\n";
}

// What `ssh-keygen -H` writes: |1|base64(salt)|base64(HMAC-SHA1(salt, host)).
QByteArray hashedHost(const QByteArray &host, const QByteArray &salt)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha1(), salt.constData(), int(salt.size()),
         reinterpret_cast<const unsigned char *>(host.constData()), size_t(host.size()), digest, &length);
    return "|1|" + salt.toBase64() + '|' +
           QByteArray(reinterpret_cast<const char *>(digest), int(length)).toBase64();
}

} // namespace

class TestKnownHosts final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    const QByteArray m_key = keyBlob("ssh-ed25519", QByteArray(32, '\x11'));
    const QByteArray m_other = keyBlob("ssh-ed25519", QByteArray(32, '\x22'));
    const QByteArray m_rsa = keyBlob("ssh-rsa", QByteArray(64, '\x33'));

    KnownHosts hosts(const QByteArray &contents)
    {
        static int counter = 0;
        const QString path = m_dir.filePath(QStringLiteral("known_hosts%1").arg(++counter));
        QFile file(path);
        if (file.open(QIODevice::WriteOnly))
            file.write(contents);
        return KnownHosts({path, m_dir.filePath(QStringLiteral("missing"))});
    }

private Q_SLOTS:
    void hostField()
    {
        QCOMPARE(KnownHosts::hostField(QStringLiteral("example.com"), 22), QStringLiteral("example.com"));
        QCOMPARE(KnownHosts::hostField(QStringLiteral("127.0.0.1"), 2222),
                 QStringLiteral("[127.0.0.1]:2222"));
        QCOMPARE(KnownHosts::keyType(m_key), QByteArray("ssh-ed25519"));
        QCOMPARE(KnownHosts::keyType("\xff\xff"), QByteArray());
    }

    void plainEntries()
    {
        const KnownHosts known =
            hosts("# comment\n\n" + line("example.com,10.0.0.1", m_key) + line("[127.0.0.1]:2222", m_other));
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("EXAMPLE.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("10.0.0.1"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_other), KnownHosts::Verdict::Changed);
        QCOMPARE(known.check(QStringLiteral("example.com"), 2200, m_key), KnownHosts::Verdict::Unknown);
        QCOMPARE(known.check(QStringLiteral("127.0.0.1"), 2222, m_other), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("127.0.0.1"), 22, m_other), KnownHosts::Verdict::Unknown);
        QCOMPARE(known.check(QStringLiteral("elsewhere"), 22, m_key), KnownHosts::Verdict::Unknown);
        // Another key type for a known host is unknown, not changed (ssh asks too).
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_rsa), KnownHosts::Verdict::Unknown);
    }

    void hashedEntries()
    {
        const KnownHosts known =
            hosts(line(hashedHost("git.example.com", "saltsaltsaltsaltsalt"), m_key) +
                  line(hashedHost("[git.example.com]:2222", "othersaltothersalt12"), m_other));
        QCOMPARE(known.check(QStringLiteral("git.example.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("git.example.com"), 2222, m_other), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("git.example.com"), 2222, m_key), KnownHosts::Verdict::Changed);
        QCOMPARE(known.check(QStringLiteral("other.example.com"), 22, m_key), KnownHosts::Verdict::Unknown);
    }

    void patterns()
    {
        const KnownHosts known =
            hosts(line("*.example.com,!bad.example.com", m_key) + line("host?", m_other));
        QCOMPARE(known.check(QStringLiteral("git.example.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("bad.example.com"), 22, m_key), KnownHosts::Verdict::Unknown);
        QCOMPARE(known.check(QStringLiteral("host1"), 22, m_other), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("host12"), 22, m_other), KnownHosts::Verdict::Unknown);
    }

    void markers()
    {
        const KnownHosts known = hosts(line("example.com", m_key) + "@revoked " + line("*", m_other) +
                                       "@cert-authority " + line("ca.example.com", m_key));
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_other), KnownHosts::Verdict::Revoked);
        QCOMPARE(known.check(QStringLiteral("ca.example.com"), 22, m_key), KnownHosts::Verdict::Unknown);
    }

    void anyMatchingLineTrusts()
    {
        // Two lines for one host (a key rotated in): either key is accepted.
        const KnownHosts known = hosts(line("example.com", m_other) + line("example.com", m_key));
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_key), KnownHosts::Verdict::Trusted);
        QCOMPARE(known.check(QStringLiteral("example.com"), 22, m_other), KnownHosts::Verdict::Trusted);
    }
};

QTEST_GUILESS_MAIN(TestKnownHosts)
#include "tst_knownhosts.moc"
