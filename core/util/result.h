#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace slipway {

// What went wrong, in words a user can act on: the message names the file and line, the
// registry and repository, or the target and its endpoint.
struct Error
{
    enum class Kind
    {
        Failed,    // the operation failed (exit status 1)
        BadInput,  // the user's input is wrong (exit status 2)
        Cancelled, // the user asked to stop
    };

    // What failed, for a caller that acts on it: never read a message's words for that.
    enum class Code
    {
        None,
        NotFound,      // what was asked for does not exist (HTTP 404)
        Conflict,      // a name is taken or the object is in use (HTTP 409)
        NotExecutable, // a command to run in a container is not in its image
        Unreachable,   // the server did not answer (connection refused, timed out, reset)
    };

    Error() = default;
    Error(Kind errorKind, QString errorMessage, Code errorCode = Code::None)
        : kind(errorKind)
        , message(std::move(errorMessage))
        , code(errorCode)
    {}

    Kind kind = Kind::Failed;
    QString message;
    Code code = Code::None;

    Error withCode(Code newCode) const &
    {
        Error copy = *this;
        copy.code = newCode;
        return copy;
    }

    static Error failed(QString text, Code withCode = Code::None)
    {
        return {Kind::Failed, std::move(text), withCode};
    }
    static Error badInput(QString text) { return {Kind::BadInput, std::move(text)}; }
    static Error cancelled(QString text) { return {Kind::Cancelled, std::move(text)}; }
};

// A value or an Error. Library code returns these; exceptions never cross a thread.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}
    Result(Error error)
        : m_state(std::move(error))
    {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_state); }
    T &value() & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

// For operations that produce nothing but can fail.
struct Done
{};
using Status = Result<Done>;
inline Status success()
{
    return Done{};
}

} // namespace slipway
