#include "source/gitutil.h"

#include "util/logging.h"

#include <QStringDecoder>

namespace slipway::git {

void ensureInitialized()
{
    static const bool initialized = [] {
        git_libgit2_init();
        // Trees and commits are cached per repository; bound the total so a huge repository
        // walked on several threads cannot grow without limit.
        git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, ssize_t(16) * 1024 * 1024);
        // Pack files are read through mmap windows (1 GiB each and 8 GiB in all by default), and
        // every page a build touches stays resident: small windows and a low limit keep a build of
        // a large repository to a few tens of MB.
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, size_t(4) * 1024 * 1024);
        git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, size_t(24) * 1024 * 1024);
        // Objects are not re-hashed on every read, as git itself does not: libgit2's collision-
        // detecting SHA-1 cost a third of a cold build's CPU. zlib's checksum still catches a
        // damaged object; `git fsck` is the tool for a deliberately altered one.
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
        const int features = git_libgit2_features();
        qCDebug(lcSource) << "libgit2" << LIBGIT2_VERSION << "threads" << bool(features & GIT_FEATURE_THREADS)
                          << "https" << bool(features & GIT_FEATURE_HTTPS) << "ssh"
                          << bool(features & GIT_FEATURE_SSH);
        return true;
    }();
    Q_UNUSED(initialized);
}

QString lastErrorMessage(const QString &fallback)
{
    const git_error *error = git_error_last();
    if (!error || !error->message || !*error->message)
        return fallback;
    QString message = QString::fromUtf8(error->message).trimmed();
    message.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return message;
}

QString oidHex(const git_oid &oid)
{
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, &oid);
    return QString::fromLatin1(hex, GIT_OID_HEXSZ);
}

QString commitSummary(git_commit *commit)
{
    const char *raw = git_commit_summary(commit);
    if (!raw)
        return {};
    const QByteArray bytes(raw);
    QStringDecoder utf8(QStringDecoder::Utf8);
    QString text = utf8.decode(bytes);
    if (utf8.hasError()) {
        // Not UTF-8: git records the encoding it was written in (i18n.commitEncoding), if any.
        const char *declared = git_commit_message_encoding(commit);
        QStringDecoder decoder(declared ? declared : "UTF-8");
        text = decoder.isValid() ? decoder.decode(bytes) : QString::fromUtf8(bytes);
    }
    for (QChar &c : text) {
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    }
    return text.simplified();
}

} // namespace slipway::git
