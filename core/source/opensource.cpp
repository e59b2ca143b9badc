#include "source/opensource.h"

#include "source/directorysource.h"
#include "source/gitmirror.h"
#include "source/gitsource.h"
#include "source/gitutil.h"

#include <QDir>
#include <QFileInfo>

namespace slipway {

namespace {

// Does the directory look like a git repository, even if libgit2 cannot open it?
bool looksLikeRepository(const QString &path)
{
    const QDir dir(path);
    if (QFileInfo::exists(dir.filePath(QStringLiteral(".git"))))
        return true;
    // A bare repository: HEAD, objects/ and refs/ at the top.
    return QFileInfo(dir.filePath(QStringLiteral("HEAD"))).isFile() &&
           QFileInfo(dir.filePath(QStringLiteral("objects"))).isDir() &&
           QFileInfo(dir.filePath(QStringLiteral("refs"))).isDir();
}

} // namespace

Result<std::unique_ptr<Source>> openSource(const SourceOptions &options)
{
    const QString &location = options.location;
    if (location.isEmpty())
        return Error::badInput(QStringLiteral("no source given: a git URL, a repository or a directory"));

    const QFileInfo info(location);
    if (!info.exists() && isGitUrl(location)) {
        Result<std::unique_ptr<GitSource>> source = GitSource::openUrl(options);
        if (!source)
            return source.error();
        return std::unique_ptr<Source>(std::move(source).value());
    }
    if (!info.exists())
        return Error::badInput(QStringLiteral("%1: no such file or directory").arg(location));
    if (!info.isDir())
        return Error::badInput(QStringLiteral("%1 is not a directory or a git repository").arg(location));

    git::ensureInitialized();
    git_repository *probe = nullptr;
    const int opened = git_repository_open_ext(&probe, QFile::encodeName(location).constData(),
                                               GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
    git_repository_free(probe);
    if (opened == 0 || looksLikeRepository(location)) {
        // openLocal reports why a repository-looking directory cannot be opened.
        // Readers open the repository again later: by absolute path, whatever the working directory.
        Result<std::unique_ptr<GitSource>> source =
            GitSource::openLocal(info.absoluteFilePath(), location, options.ref);
        if (!source)
            return source.error();
        return std::unique_ptr<Source>(std::move(source).value());
    }

    if (!options.ref.isEmpty())
        return Error::badInput(QStringLiteral("%1 is not a git repository, so --ref %2 cannot apply")
                                   .arg(location, options.ref));
    Result<std::unique_ptr<DirectorySource>> source =
        DirectorySource::open(location, location, options.cacheDir, options.events, options.stop);
    if (!source)
        return source.error();
    return std::unique_ptr<Source>(std::move(source).value());
}

} // namespace slipway
