#pragma once

#include <QString>

#include <git2.h>

#include <memory>

namespace slipway::git {

// Initialises libgit2 once per process (thread-safe) and applies Slipway's global settings:
// a bounded object cache and strict hash verification. Never shut down: other threads may
// still hold repositories when the process ends.
void ensureInitialized();

// libgit2's last error message on this thread, or `fallback` when it set none.
QString lastErrorMessage(const QString &fallback = QStringLiteral("unknown libgit2 error"));

QString oidHex(const git_oid &oid);

// The commit's summary as `git log --oneline` shows it: the first paragraph of the message on
// one line. Decoded from the commit's declared encoding when Qt knows it, else as UTF-8 with
// U+FFFD for bytes that are not; control characters (a terminal escape in a message) become
// spaces, so the text is safe to print and to put in a table row.
QString commitSummary(git_commit *commit);

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *object) const { Free(object); }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;

// A git_buf that frees itself.
struct Buffer
{
    git_buf buf = GIT_BUF_INIT;
    Buffer() = default;
    Buffer(const Buffer &) = delete;
    Buffer &operator=(const Buffer &) = delete;
    ~Buffer() { git_buf_dispose(&buf); }
    QString toString() const { return QString::fromUtf8(buf.ptr, qsizetype(buf.size)); }
};

} // namespace slipway::git
