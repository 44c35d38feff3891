// A TCP delay line on the loopback for the slow-link benchmark (this kernel has no netem): every
// chunk read from one side is written to the other DELAY_US microseconds after it arrived, in each
// direction, and reading goes on meanwhile, so chunks in flight overlap as on a real link (a
// pipeline of queries pays the delay once, not once per query). One thread, ppoll with a
// nanosecond timeout and no timer slack; TCP_NODELAY on every socket so that Nagle adds nothing.
//
//   delay_proxy TARGET_HOST TARGET_PORT DELAY_US
// Listens on 127.0.0.1 on a free port, prints "port N" on stdout once listening, and runs until
// killed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Chunk {
    Clock::time_point due;
    std::string data;
    std::size_t written = 0;
};

// One direction of one connection.
struct Direction {
    int from = -1;
    int to = -1;
    std::deque<Chunk> queue;
    bool eof = false;       // `from` has nothing more to send
    bool shut = false;      // `to` was told so
    bool waiting = false;   // the head is due but `to` would block
};

struct Connection {
    int client = -1;
    int server = -1;
    Direction up;    // client -> server
    Direction down;  // server -> client
    bool dead = false;
};

void no_delay_nonblocking(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int connect_to(const sockaddr_in& target) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
        close(fd);
        return -1;
    }
    no_delay_nonblocking(fd);
    return fd;
}

// Reads what `d.from` has; false when the connection must close.
bool read_side(Direction& d, Clock::duration delay) {
    char buffer[65536];
    for (;;) {
        ssize_t n = read(d.from, buffer, sizeof buffer);
        if (n > 0) {
            d.queue.push_back(Chunk{Clock::now() + delay, std::string(buffer, static_cast<std::size_t>(n)), 0});
            continue;
        }
        if (n == 0) {
            d.eof = true;
            return true;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        if (errno == EINTR) continue;
        return false;
    }
}

// Writes every chunk that is due; false when the connection must close.
bool write_due(Direction& d) {
    const auto now = Clock::now();
    d.waiting = false;
    while (!d.queue.empty() && d.queue.front().due <= now) {
        Chunk& c = d.queue.front();
        ssize_t n = write(d.to, c.data.data() + c.written, c.data.size() - c.written);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                d.waiting = true;
                return true;
            }
            if (errno == EINTR) continue;
            return false;
        }
        c.written += static_cast<std::size_t>(n);
        if (c.written == c.data.size()) d.queue.pop_front();
    }
    if (d.eof && d.queue.empty() && !d.shut) {
        shutdown(d.to, SHUT_WR);
        d.shut = true;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: delay_proxy TARGET_HOST TARGET_PORT DELAY_US\n");
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_TIMERSLACK, 1UL);  // wake up on time (the default slack is 50 us)
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[2])));
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) {
        std::fprintf(stderr, "delay_proxy: %s is not an IPv4 address\n", argv[1]);
        return 2;
    }
    const Clock::duration delay = std::chrono::microseconds(std::atol(argv[3]));

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    local.sin_port = 0;
    socklen_t len = sizeof local;
    if (bind(listener, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 || listen(listener, 64) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
        std::perror("delay_proxy: listen");
        return 1;
    }
    fcntl(listener, F_SETFL, fcntl(listener, F_GETFL) | O_NONBLOCK);
    std::printf("port %d\n", ntohs(local.sin_port));
    std::fflush(stdout);

    std::vector<std::unique_ptr<Connection>> connections;
    std::vector<pollfd> fds;
    for (;;) {
        // Wait for input, for a blocked writer, or until the next chunk is due.
        fds.clear();
        fds.push_back({listener, POLLIN, 0});
        auto next_due = Clock::time_point::max();
        for (auto& c : connections) {
            for (Direction* d : {&c->up, &c->down}) {
                short events = d->eof ? 0 : POLLIN;
                fds.push_back({d->from, events, 0});
                if (!d->queue.empty()) {
                    if (d->waiting) fds.push_back({d->to, POLLOUT, 0});
                    else if (d->queue.front().due < next_due) next_due = d->queue.front().due;
                }
            }
        }
        timespec timeout{};
        timespec* wait = nullptr;
        if (next_due != Clock::time_point::max()) {
            auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(next_due - Clock::now()).count();
            if (ns < 0) ns = 0;
            timeout.tv_sec = static_cast<time_t>(ns / 1000000000);
            timeout.tv_nsec = static_cast<long>(ns % 1000000000);
            wait = &timeout;
        }
        if (ppoll(fds.data(), fds.size(), wait, nullptr) < 0 && errno != EINTR) {
            std::perror("delay_proxy: ppoll");
            return 1;
        }
        if (fds[0].revents & POLLIN) {
            for (;;) {
                int client = accept(listener, nullptr, nullptr);
                if (client < 0) break;
                no_delay_nonblocking(client);
                int server = connect_to(target);
                if (server < 0) {
                    close(client);
                    continue;
                }
                auto c = std::make_unique<Connection>();
                c->client = client;
                c->server = server;
                c->up.from = client;
                c->up.to = server;
                c->down.from = server;
                c->down.to = client;
                connections.push_back(std::move(c));
            }
        }
        // Read everything readable (stamped now), then write everything due.
        for (auto& c : connections) {
            for (Direction* d : {&c->up, &c->down})
                if (!d->eof && !read_side(*d, delay)) c->dead = true;
            for (Direction* d : {&c->up, &c->down})
                if (!c->dead && !write_due(*d)) c->dead = true;
            if (c->up.shut && c->down.shut) c->dead = true;
        }
        for (auto it = connections.begin(); it != connections.end();) {
            if ((*it)->dead) {
                close((*it)->client);
                close((*it)->server);
                it = connections.erase(it);
            } else {
                ++it;
            }
        }
    }
}
