#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace slipway::test {

// A git work tree in a temporary directory, driven by the real git command, for tests that
// need a repository with known contents. Commits get fixed author and committer dates, so the
// same steps give the same commit ids.
class GitRepo
{
public:
    GitRepo();

    bool isValid() const { return m_valid; }
    QString path() const { return m_dir.path(); }
    QString lastError() const { return m_error; }

    bool writeFile(const QString &relativePath, const QByteArray &contents, bool executable = false);
    bool symlink(const QString &relativePath, const QString &target);
    bool remove(const QString &relativePath);
    // Stages everything and commits; returns the commit id, empty on failure.
    QString commit(const QString &message);
    // Runs git in the work tree; returns stdout (trimmed) or an empty string on failure.
    QString git(const QStringList &arguments);
    bool gitOk(const QStringList &arguments);

    // Unix time of the next commit; each commit advances it by a minute.
    qint64 nextCommitTime() const { return m_time; }

private:
    QTemporaryDir m_dir;
    bool m_valid = false;
    QString m_error;
    qint64 m_time = 1700000000;
};

} // namespace slipway::test
