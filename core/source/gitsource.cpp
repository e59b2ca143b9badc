#include "source/gitsource.h"

#include "source/gitmirror.h"
#include "source/gitutil.h"
#include "source/looseobject.h"
#include "source/sourcepaths.h"
#include "util/logging.h"

#include <QFile>
#include <QRegularExpression>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace slipway {

namespace {

constexpr qsizetype kReadPiece = 1024 * 1024;

Error unusable(const QString &location, const QString &reason)
{
    return Error::failed(QStringLiteral("%1 is not a usable git repository: %2").arg(location, reason));
}

Result<git::RepositoryPtr> openRepository(const QString &path, const QString &location)
{
    git::ensureInitialized();
    git_repository *raw = nullptr;
    if (git_repository_open_ext(&raw, QFile::encodeName(path).constData(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                nullptr) < 0)
        return unusable(location, git::lastErrorMessage());
    return git::RepositoryPtr(raw);
}

QString branchList(git_repository *repository)
{
    QStringList names;
    for (const git_branch_t type : {GIT_BRANCH_LOCAL, GIT_BRANCH_REMOTE}) {
        git_branch_iterator *iterator = nullptr;
        if (git_branch_iterator_new(&iterator, repository, type) < 0)
            continue;
        git_reference *reference = nullptr;
        git_branch_t found;
        while (git_branch_next(&reference, &found, iterator) == 0) {
            const char *name = nullptr;
            if (git_branch_name(&name, reference) == 0 && name && !QByteArray(name).endsWith("/HEAD"))
                names.append(QString::fromUtf8(name));
            git_reference_free(reference);
        }
        git_branch_iterator_free(iterator);
        if (!names.isEmpty())
            break; // remote-tracking branches only when there are no local ones
    }
    if (names.isEmpty())
        return QStringLiteral("no branches");
    std::sort(names.begin(), names.end());
    constexpr qsizetype kShown = 5;
    QString list = QStringLiteral("branches: ") + names.mid(0, kShown).join(QStringLiteral(", "));
    if (names.size() > kShown)
        list += QStringLiteral(", ...");
    return list;
}

struct Resolved
{
    git::CommitPtr commit;
    QString name; // how describe() names the ref
};

Result<Resolved> peelToCommit(git_object *object, const QString &name, const QString &location)
{
    git::ObjectPtr owned(object);
    git_object *peeled = nullptr;
    if (git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) < 0)
        return Error::badInput(
            QStringLiteral("'%1' in %2 is a %3, not a commit")
                .arg(name, location, QString::fromLatin1(git_object_type2string(git_object_type(object)))));
    return Resolved{git::CommitPtr(reinterpret_cast<git_commit *>(peeled)), name};
}

Error ambiguous(const QString &ref, const QString &location)
{
    return Error::badInput(QStringLiteral("ref '%1' in %2 is ambiguous: several objects start with it; "
                                          "give more digits")
                               .arg(ref, location));
}

// HEAD, then: a full commit id, refs/heads/REF, refs/tags/REF, refs/remotes/origin/REF, a short
// commit id, and last anything git rev-parse understands ("main~1", "v1^{commit}").
Result<Resolved> resolveRef(git_repository *repository, const QString &ref, const QString &location)
{
    if (ref.isEmpty()) {
        git_reference *head = nullptr;
        const int code = git_repository_head(&head, repository);
        if (code == GIT_EUNBORNBRANCH || code == GIT_ENOTFOUND)
            return Error::badInput(QStringLiteral("%1 has no commits yet").arg(location));
        if (code < 0)
            return unusable(location, git::lastErrorMessage());
        git::ReferencePtr owned(head);
        const QString name = git_reference_is_branch(head) ? QString::fromUtf8(git_reference_shorthand(head))
                                                           : QStringLiteral("HEAD");
        git_object *object = nullptr;
        if (git_reference_peel(&object, head, GIT_OBJECT_ANY) < 0)
            return unusable(location, git::lastErrorMessage());
        return peelToCommit(object, name, location);
    }

    const QByteArray bytes = ref.toUtf8();
    static const QRegularExpression fullId(QStringLiteral("^[0-9a-fA-F]{40}$"));
    static const QRegularExpression shortId(QStringLiteral("^[0-9a-fA-F]{4,39}$"));
    git_object *object = nullptr;

    if (fullId.match(ref).hasMatch()) {
        git_oid oid;
        if (git_oid_fromstr(&oid, bytes.constData()) == 0 &&
            git_object_lookup(&object, repository, &oid, GIT_OBJECT_ANY) == 0)
            return peelToCommit(object, ref, location);
    }
    for (const char *prefix : {"refs/heads/", "refs/tags/", "refs/remotes/origin/"}) {
        git_reference *reference = nullptr;
        const QByteArray name = QByteArray(prefix) + bytes;
        if (git_reference_lookup(&reference, repository, name.constData()) != 0)
            continue;
        git::ReferencePtr owned(reference);
        if (git_reference_peel(&object, reference, GIT_OBJECT_ANY) < 0)
            return unusable(location, git::lastErrorMessage());
        return peelToCommit(object, ref, location);
    }
    if (shortId.match(ref).hasMatch()) {
        git_oid oid;
        if (git_oid_fromstrn(&oid, bytes.constData(), size_t(bytes.size())) == 0) {
            const int code =
                git_object_lookup_prefix(&object, repository, &oid, size_t(bytes.size()), GIT_OBJECT_ANY);
            if (code == 0)
                return peelToCommit(object, ref, location);
            if (code == GIT_EAMBIGUOUS)
                return ambiguous(ref, location);
        }
    }
    const int code = git_revparse_single(&object, repository, bytes.constData());
    if (code == 0)
        return peelToCommit(object, ref, location);
    if (code == GIT_EAMBIGUOUS)
        return ambiguous(ref, location);
    return Error::badInput(
        QStringLiteral("unknown ref '%1' in %2 (%3)").arg(ref, location, branchList(repository)));
}

// Collects the blobs of a tree; stops at the first entry it cannot take.
struct TreeWalk
{
    git_repository *repository = nullptr;
    git_odb *odb = nullptr;
    QString where;  // "LOCATION at REF"
    QString commit; // id, for messages
    QList<SourceFile> files;
    std::optional<Error> error;

    int fail(Error e)
    {
        error = std::move(e);
        return -1;
    }

    int visit(const char *root, const git_tree_entry *entry)
    {
        const QByteArray name = git_tree_entry_name(entry);
        const QByteArray path = QByteArray(root) + name;
        if (!isSafePathComponent(name))
            return fail(Error::badInput(QStringLiteral("%1: commit %2 has an unsafe path '%3'")
                                            .arg(where, commit, escapedPath(path))));
        const git_object_t type = git_tree_entry_type(entry);
        if (type == GIT_OBJECT_TREE)
            return 0;
        const std::optional<QString> decoded = decodeUtf8Path(path);
        if (!decoded)
            return fail(Error::badInput(QStringLiteral("%1: the path '%2' in commit %3 is not valid UTF-8")
                                            .arg(where, escapedPath(path), commit)));
        if (type == GIT_OBJECT_COMMIT)
            return fail(Error::badInput(
                QStringLiteral("%1: submodule '%2' is not supported yet").arg(where, *decoded)));
        if (type != GIT_OBJECT_BLOB)
            return fail(Error::failed(
                QStringLiteral("%1: '%2' in commit %3 is a %4")
                    .arg(where, *decoded, commit, QString::fromLatin1(git_object_type2string(type)))));

        SourceFile file;
        file.path = *decoded;
        const git_oid *oid = git_tree_entry_id(entry);
        file.id = git::oidHex(*oid).toLatin1();
        switch (git_tree_entry_filemode(entry)) {
        case GIT_FILEMODE_BLOB_EXECUTABLE:
            file.kind = SourceFile::Kind::Executable;
            break;
        case GIT_FILEMODE_LINK:
            file.kind = SourceFile::Kind::Symlink;
            break;
        default:
            file.kind = SourceFile::Kind::Regular;
            break;
        }
        if (file.kind == SourceFile::Kind::Symlink) {
            git_blob *blob = nullptr;
            if (git_blob_lookup(&blob, repository, oid) < 0)
                return fail(unreadable(*decoded, file.id));
            const git::BlobPtr owned(blob);
            const QByteArray target(static_cast<const char *>(git_blob_rawcontent(blob)),
                                    qsizetype(git_blob_rawsize(blob)));
            const std::optional<QString> decodedTarget = decodeUtf8Path(target);
            if (!decodedTarget || target.isEmpty() || target.contains('\0'))
                return fail(
                    Error::badInput(QStringLiteral("%1: the target '%2' of symlink '%3' in commit %4 is "
                                                   "not valid UTF-8")
                                        .arg(where, escapedPath(target), *decoded, commit)));
            file.linkTarget = *decodedTarget;
            file.size = target.size();
        } else {
            size_t size = 0;
            git_object_t objectType = GIT_OBJECT_INVALID;
            if (git_odb_read_header(&size, &objectType, odb, oid) < 0)
                return fail(unreadable(*decoded, file.id));
            file.size = qint64(size);
        }
        files.append(std::move(file));
        return 0;
    }

    Error unreadable(const QString &path, const QByteArray &id) const
    {
        return Error::failed(QStringLiteral("%1: cannot read '%2' (blob %3): %4")
                                 .arg(where, path, QString::fromLatin1(id), git::lastErrorMessage()));
    }
};

int visitEntry(const char *root, const git_tree_entry *entry, void *payload)
{
    return static_cast<TreeWalk *>(payload)->visit(root, entry);
}

// True if "blob SIZE\0" + data hashes (SHA-1) to id, as git names a blob.
bool hashesTo(const char *data, qsizetype size, const git_oid &id)
{
    const QByteArray header = "blob " + QByteArray::number(size) + '\0';
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha1(), nullptr) != 1 ||
        EVP_DigestUpdate(context.get(), header.constData(), size_t(header.size())) != 1 ||
        EVP_DigestUpdate(context.get(), data, size_t(size)) != 1 ||
        EVP_DigestFinal_ex(context.get(), digest, &length) != 1 || length != SHA_DIGEST_LENGTH)
        return false;
    return std::memcmp(digest, id.id, SHA_DIGEST_LENGTH) == 0;
}

class GitReader final : public SourceReader
{
public:
    GitReader(const QString &repositoryPath, QString location)
        : m_location(std::move(location))
    {
        Result<git::RepositoryPtr> opened = openRepository(repositoryPath, m_location);
        if (opened) {
            m_repository = std::move(opened).value();
            m_objectsDir = QFile::decodeName(git_repository_commondir(m_repository.get())) + u"objects";
        } else
            m_openError = opened.error();
    }

    Status read(const SourceFile &file, const ContentSink &sink) override
    {
        if (file.kind == SourceFile::Kind::Symlink)
            return success();
        if (!m_repository)
            return *m_openError;
        git_oid oid;
        if (file.id.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, file.id.constData()) < 0)
            return Error::failed(QStringLiteral("%1: '%2' has no valid blob id (%3)")
                                     .arg(m_location, file.path, QString::fromLatin1(file.id)));
        // Loose objects are read here (libgit2 1.5 hangs on a truncated one); packed ones by libgit2.
        LooseBlob loose;
        git::BlobPtr blob;
        const char *data = nullptr;
        qsizetype size = 0;
        if (std::optional<Result<LooseBlob>> read = readLooseBlob(m_objectsDir, file.id, file.size)) {
            if (!*read)
                return Error::failed(
                    QStringLiteral("%1: cannot read '%2' (blob %3): %4; the repository is "
                                   "corrupt (see git fsck)")
                        .arg(m_location, file.path, QString::fromLatin1(file.id), read->error().message));
            loose = std::move(*read).value();
            data = loose.content();
            size = loose.contentSize();
        } else {
            git_blob *raw = nullptr;
            if (git_blob_lookup(&raw, m_repository.get(), &oid) < 0)
                return Error::failed(
                    QStringLiteral("%1: cannot read '%2' (blob %3): %4")
                        .arg(m_location, file.path, QString::fromLatin1(file.id), git::lastErrorMessage()));
            blob.reset(raw);
            data = static_cast<const char *>(git_blob_rawcontent(raw));
            size = qsizetype(git_blob_rawsize(raw));
        }
        if (size != file.size)
            return Error::failed(QStringLiteral("%1: blob %2 of '%3' has %4 bytes, not the %5 listed")
                                     .arg(m_location, QString::fromLatin1(file.id), file.path)
                                     .arg(size)
                                     .arg(file.size));
        // What is deployed must be exactly the commit: the content has to hash to its id.
        // OpenSSL's SHA-1 instead of libgit2's strict verification, which is several times slower.
        if (!hashesTo(data, size, oid))
            return Error::failed(
                QStringLiteral("%1: cannot read '%2' (blob %3): its content does not match its id; "
                               "the repository is corrupt (see git fsck)")
                    .arg(m_location, file.path, QString::fromLatin1(file.id)));
        for (qsizetype offset = 0; offset < size; offset += kReadPiece) {
            if (Status sent = sink(data + offset, std::min(kReadPiece, size - offset)); !sent)
                return sent;
        }
        return success();
    }

private:
    QString m_location;
    git::RepositoryPtr m_repository;
    QString m_objectsDir;
    std::optional<Error> m_openError;
};

} // namespace

Result<std::unique_ptr<GitSource>> GitSource::openLocal(const QString &repositoryPath,
                                                        const QString &location, const QString &ref)
{
    return open(repositoryPath, location, ref, false);
}

Result<std::unique_ptr<GitSource>> GitSource::openUrl(const SourceOptions &options)
{
    Result<QString> mirror = updateMirror(options);
    if (!mirror)
        return mirror.error();
    return open(*mirror, displayUrl(options.location), options.ref, true);
}

Result<std::unique_ptr<GitSource>> GitSource::open(const QString &repositoryPath, const QString &location,
                                                   const QString &ref, bool mirror)
{
    Result<git::RepositoryPtr> opened = openRepository(repositoryPath, location);
    if (!opened)
        return opened.error();
    git_repository *repository = opened->get();

    Result<Resolved> resolved = resolveRef(repository, ref, location);
    if (!resolved)
        return resolved.error();
    git_commit *commit = resolved->commit.get();

    std::unique_ptr<GitSource> source(new GitSource);
    source->m_repositoryPath = repositoryPath;
    source->m_location = location;
    source->m_resolvedRef = resolved->name;
    source->m_revision = git::oidHex(*git_commit_id(commit));
    source->m_summary = git::commitSummary(commit);
    source->m_timestamp = qint64(git_commit_time(commit));
    git::Buffer shortId;
    const QString abbreviated = git_object_short_id(&shortId.buf, reinterpret_cast<git_object *>(commit)) == 0
                                    ? shortId.toString()
                                    : source->m_revision.left(7);
    source->m_description = QStringLiteral("%1 at %2 (%3)").arg(location, resolved->name, abbreviated);

    git_tree *rawTree = nullptr;
    if (git_commit_tree(&rawTree, commit) < 0)
        return unusable(location, git::lastErrorMessage());
    const git::TreePtr tree(rawTree);
    git_odb *rawOdb = nullptr;
    if (git_repository_odb(&rawOdb, repository) < 0)
        return unusable(location, git::lastErrorMessage());
    const git::OdbPtr odb(rawOdb);

    TreeWalk walk;
    walk.repository = repository;
    walk.odb = rawOdb;
    walk.where = QStringLiteral("%1 at %2").arg(location, resolved->name);
    walk.commit = abbreviated;
    if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, visitEntry, &walk) < 0) {
        if (walk.error)
            return *walk.error;
        return unusable(location, git::lastErrorMessage());
    }
    sortByUtf8Path(walk.files);
    source->m_files = std::move(walk.files);
    qCDebug(lcSource) << "opened" << source->m_description << "with" << source->m_files.size() << "files"
                      << (mirror ? "from the mirror" : "in place") << repositoryPath;
    return source;
}

std::unique_ptr<SourceReader> GitSource::openReader() const
{
    return std::make_unique<GitReader>(m_repositoryPath, m_location);
}

Result<QByteArray> GitSource::readRootFile(const QString &name) const
{
    const auto found = std::find_if(m_files.cbegin(), m_files.cend(),
                                    [&name](const SourceFile &file) { return file.path == name; });
    if (found == m_files.cend())
        return Error::badInput(QStringLiteral("%1 has no %2").arg(m_description, name));
    if (found->kind == SourceFile::Kind::Symlink)
        return Error::badInput(QStringLiteral("%1: %2 is a symlink, not a file").arg(m_description, name));
    return readWholeFile(*openReader(), *found);
}

} // namespace slipway
