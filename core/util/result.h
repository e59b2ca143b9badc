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

    Kind kind = Kind::Failed;
    QString message;

    static Error failed(QString message) { return {Kind::Failed, std::move(message)}; }
    static Error badInput(QString message) { return {Kind::BadInput, std::move(message)}; }
    static Error cancelled(QString message) { return {Kind::Cancelled, std::move(message)}; }
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
