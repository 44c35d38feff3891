// The process environment behind an interface, so that .env loading and connection-source
// resolution are unit-testable without touching the real one.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace trovella::client {

class Environment {
public:
    virtual ~Environment() = default;
    virtual std::optional<std::string> get(const std::string& name) const = 0;
    virtual void set(const std::string& name, const std::string& value) = 0;
};

// getenv/setenv: what libpq reads too (PG* variables loaded from an env file reach it).
class ProcessEnvironment : public Environment {
public:
    std::optional<std::string> get(const std::string& name) const override;
    void set(const std::string& name, const std::string& value) override;
};

class MapEnvironment : public Environment {
public:
    explicit MapEnvironment(std::map<std::string, std::string> values = {}) : values_(std::move(values)) {}
    std::optional<std::string> get(const std::string& name) const override;
    void set(const std::string& name, const std::string& value) override { values_[name] = value; }

private:
    std::map<std::string, std::string> values_;
};

}  // namespace trovella::client
