#include "client/connect.hpp"

#include <memory>

#include "client/client_engine.hpp"
#include "client/extension_engine.hpp"

namespace trovella::client {

void connect_target(EngineChoice choice, TargetRun& target, const MessageSink& on_message) {
    target.connection = std::make_unique<Connection>(target.source, on_message);
    auto extension = std::make_unique<ExtensionEngine>(*target.connection);
    Connection* connection = target.connection.get();
    target.client_engine = [connection, on_message] { return std::make_unique<ClientEngine>(*connection, on_message); };
    target.on_message = on_message;
    target.extension_version = extension->extension_version();
    const std::string installed =
        target.extension_version ? "trovella_migrate " + *target.extension_version + " is installed in the database"
                                 : "trovella_migrate is not installed in the database";
    switch (choice) {
        case EngineChoice::extension:
            target.engine = std::move(extension);
            target.engine_reason = "--engine extension; " + installed;
            break;
        case EngineChoice::client:
            target.engine = std::make_unique<ClientEngine>(*target.connection, on_message);
            target.engine_reason = "--engine client; " + installed;
            break;
        case EngineChoice::auto_pick:
            if (target.extension_version) {
                target.engine = std::move(extension);
            } else {
                target.engine = std::make_unique<ClientEngine>(*target.connection, on_message);
            }
            target.engine_reason = installed;
            break;
    }
}

}  // namespace trovella::client
