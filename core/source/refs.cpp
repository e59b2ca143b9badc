#include "source/refs.h"

#include "source/gitmirror.h"
#include "source/gitutil.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace slipway {

namespace {

// Reads every refs/heads/* and refs/tags/* of an open repository.
Result<QList<GitRef>> readRefs(git_repository *repository, const QString &display)
{
    QString defaultBranch;
    {
        git_reference *head = nullptr;
        // An unborn or detached HEAD simply has no default branch.
        if (git_reference_lookup(&head, repository, "HEAD") == 0) {
            if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
                const QString target = QString::fromUtf8(git_reference_symbolic_target(head));
                if (target.startsWith(u"refs/heads/"))
                    defaultBranch = target.mid(11);
            }
            git_reference_free(head);
        }
    }

    git_reference_iterator *raw = nullptr;
    if (git_reference_iterator_glob_new(&raw, repository, "refs/*") != 0)
        return Error::failed(
            QStringLiteral("%1: cannot list references: %2").arg(display, git::lastErrorMessage()));
    std::unique_ptr<git_reference_iterator, git::Deleter<git_reference_iterator, git_reference_iterator_free>>
        iterator(raw);

    QList<GitRef> refs;
    git_reference *next = nullptr;
    while (git_reference_next(&next, iterator.get()) == 0) {
        const git::ReferencePtr reference(next);
        const QString fullName = QString::fromUtf8(git_reference_name(reference.get()));
        GitRef ref;
        if (fullName.startsWith(u"refs/heads/")) {
            ref.kind = GitRef::Kind::Branch;
            ref.name = fullName.mid(11);
        } else if (fullName.startsWith(u"refs/tags/")) {
            ref.kind = GitRef::Kind::Tag;
            ref.name = fullName.mid(10);
        } else {
            continue; // remotes, notes, stashes: not something to deploy from the picker
        }
        git_object *peeled = nullptr;
        // A ref that does not lead to a commit (a tag of a tree or blob) cannot be built.
        if (git_reference_peel(&peeled, reference.get(), GIT_OBJECT_COMMIT) != 0)
            continue;
        const git::CommitPtr commit(reinterpret_cast<git_commit *>(peeled));
        ref.commit = git::oidHex(*git_commit_id(commit.get()));
        ref.summary = git::commitSummary(commit.get());
        if (const git_signature *author = git_commit_author(commit.get()))
            ref.author = QString::fromUtf8(author->name);
        ref.time = git_commit_time(commit.get());
        ref.isDefault = ref.kind == GitRef::Kind::Branch && ref.name == defaultBranch;
        refs.append(std::move(ref));
    }

    std::stable_sort(refs.begin(), refs.end(), [](const GitRef &a, const GitRef &b) {
        if (a.isDefault != b.isDefault)
            return a.isDefault;
        if (a.time != b.time)
            return a.time > b.time;
        if (a.kind != b.kind)
            return a.kind == GitRef::Kind::Branch;
        return a.name < b.name;
    });
    return refs;
}

} // namespace

Result<QList<GitRef>> listRefs(const SourceOptions &options)
{
    const QString &location = options.location;
    if (location.isEmpty())
        return Error::badInput(QStringLiteral("no repository given: a git URL or a local repository"));

    QString repositoryPath = location;
    QString display = location;
    const QFileInfo info(location);
    if (!info.exists() && isGitUrl(location)) {
        Result<QString> mirror = updateMirror(options);
        if (!mirror)
            return mirror.error();
        repositoryPath = mirror.value();
        display = displayUrl(location);
    } else if (!info.exists()) {
        return Error::badInput(QStringLiteral("%1: no such file or directory").arg(location));
    } else if (!info.isDir()) {
        return Error::badInput(QStringLiteral("%1 is not a git repository").arg(location));
    }

    git::ensureInitialized();
    git_repository *raw = nullptr;
    if (git_repository_open_ext(&raw, QFile::encodeName(repositoryPath).constData(),
                                GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0)
        return Error::badInput(
            QStringLiteral("%1 is not a git repository: %2").arg(display, git::lastErrorMessage()));
    const git::RepositoryPtr repository(raw);
    if (options.stop.stop_requested())
        return Error::cancelled(QStringLiteral("%1: listing references cancelled").arg(display));
    return readRefs(repository.get(), display);
}

} // namespace slipway
