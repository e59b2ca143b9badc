#pragma once

#include "source/opensource.h"
#include "source/source.h"

#include <QList>
#include <QString>

#include <memory>

namespace slipway {

// A commit of a git repository: a local one read in place, or the bare mirror of a URL.
// The file list is made once, from the commit's tree; contents are read from the object
// database by readers that each own a repository handle (libgit2 handles are not shared
// between threads).
class GitSource final : public Source
{
public:
    // Opens a local repository (work tree, .git directory or bare repository) in place and
    // resolves `ref` in it. `location` is what messages call it.
    static Result<std::unique_ptr<GitSource>> openLocal(const QString &repositoryPath,
                                                        const QString &location, const QString &ref);
    // Clones or fetches the URL in options.location into its mirror under options.cacheDir,
    // then resolves options.ref there.
    static Result<std::unique_ptr<GitSource>> openUrl(const SourceOptions &options);

    QString describe() const override { return m_description; }
    QString revision() const override { return m_revision; }
    QString summary() const override { return m_summary; }
    qint64 timestamp() const override { return m_timestamp; }
    const QList<SourceFile> &files() const override { return m_files; }
    std::unique_ptr<SourceReader> openReader() const override;
    Result<QByteArray> readRootFile(const QString &name) const override;

    // The repository read: the mirror for a URL, the given path for a local repository.
    QString repositoryPath() const { return m_repositoryPath; }
    // The ref as resolved: a branch, tag or remote-tracking branch name, or HEAD's branch.
    QString resolvedRef() const { return m_resolvedRef; }

private:
    GitSource() = default;
    static Result<std::unique_ptr<GitSource>> open(const QString &repositoryPath, const QString &location,
                                                   const QString &ref, bool mirror);

    QString m_repositoryPath;
    QString m_location;
    QString m_resolvedRef;
    QString m_description;
    QString m_revision;
    QString m_summary;
    qint64 m_timestamp = 0;
    QList<SourceFile> m_files;
};

} // namespace slipway
