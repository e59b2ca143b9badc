#include "gitrepo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace slipway::test {

GitRepo::GitRepo()
{
    m_valid = m_dir.isValid() && gitOk({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"),
                                        QStringLiteral("main")});
}

bool GitRepo::writeFile(const QString &relativePath, const QByteArray &contents, bool executable)
{
    const QString full = m_dir.filePath(relativePath);
    QDir().mkpath(QFileInfo(full).path());
    QFile file(full);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(contents) != contents.size()) {
        m_error = file.errorString();
        return false;
    }
    file.close();
    const QFile::Permissions base =
        QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    return file.setPermissions(executable ? base | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther
                                          : base);
}

bool GitRepo::symlink(const QString &relativePath, const QString &target)
{
    const QString full = m_dir.filePath(relativePath);
    QDir().mkpath(QFileInfo(full).path());
    QFile::remove(full);
    return QFile::link(target, full);
}

bool GitRepo::remove(const QString &relativePath)
{
    return gitOk({QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("-r"), relativePath});
}

QString GitRepo::commit(const QString &message)
{
    if (!gitOk({QStringLiteral("add"), QStringLiteral("-A")}))
        return {};
    const QString date = QStringLiteral("@%1 +0000").arg(m_time);
    m_time += 60;
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_AUTHOR_DATE"), date);
    env.insert(QStringLiteral("GIT_COMMITTER_DATE"), date);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral("git"),
                  {QStringLiteral("-c"), QStringLiteral("user.name=Slipway Test"), QStringLiteral("-c"),
                   QStringLiteral("user.email=test@slipway.invalid"), QStringLiteral("commit"),
                   QStringLiteral("-q"), QStringLiteral("--allow-empty"), QStringLiteral("-m"), message});
    if (!process.waitForFinished(30000) || process.exitCode() != 0) {
        m_error = QString::fromLocal8Bit(process.readAllStandardError());
        return {};
    }
    return git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

QString GitRepo::git(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral("git"), arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        m_error = QString::fromLocal8Bit(process.readAllStandardError()).trimmed();
        return {};
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

bool GitRepo::gitOk(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral("git"), arguments);
    const bool ok = process.waitForFinished(60000) && process.exitStatus() == QProcess::NormalExit &&
                    process.exitCode() == 0;
    if (!ok)
        m_error = QString::fromLocal8Bit(process.readAllStandardError()).trimmed();
    return ok;
}

} // namespace slipway::test
