/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Atomic output files: a temporary beside the target, renamed over it only when every byte is
 * written and synced (see include/deeprelax/output.h). The stream is a stdio cookie stream over
 * our own descriptor so that every write error is seen here (and the test hook can simulate a
 * full disk) whatever the writer: fprintf, fwrite, or libpng's I/O through a FILE. */
#define _GNU_SOURCE
#include "deeprelax/output.h"
#include "deeprelax/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define STREAM_BUFFER (1u << 16)
/* Outputs open at once in one process; a command writes a handful. */
#define MAX_PENDING 64

/* The temporaries a signal handler must remove. state: 0 free, 1 being claimed, 2 armed
 * (path complete). Lock-free atomics are async-signal-safe; the handler only reads. */
static struct {
    atomic_int state;
    char path[PATH_MAX];
} pending[MAX_PENDING];

struct dr_output {
    char *path;           /* as the caller gave it, for messages */
    char *target;         /* what rename(2) replaces: the path with symlinks resolved */
    char *temp;           /* NULL when the target is written directly (FIFO, device) */
    int fd, slot, err;
    FILE *stream;
    char *buffer;
    long long fail_after; /* test hook: ENOSPC beyond this many bytes; -1 = never */
    unsigned long long written;
};

static int claim_slot(const char *temp)
{
    for (int i = 0; i < MAX_PENDING; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&pending[i].state, &expected, 1)) {
            memcpy(pending[i].path, temp, strlen(temp) + 1);
            atomic_store(&pending[i].state, 2);
            return i;
        }
    }
    return -1;
}

static void release_slot(int slot)
{
    if (slot >= 0)
        atomic_store(&pending[slot].state, 0);
}

void dr_output_remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (atomic_load(&pending[i].state) == 2)
            unlink(pending[i].path);
}

/* ------------------------------------------------------------------ where a path goes */

typedef struct {
    char dir[PATH_MAX];  /* the directory the temporary goes into (absolute, resolved) */
    char base[NAME_MAX + 1];
    int exists, direct;  /* direct: an existing FIFO or device, written in place */
    struct stat st;      /* of the existing target */
} placement;

/* Splits `path` at its last '/' into a directory ("." when none) and a base name. */
static int split(const char *path, char *dir, size_t dsize, char *base, size_t bsize)
{
    const char *slash = strrchr(path, '/');
    const char *b = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 1;
    if (!*b || !strcmp(b, ".") || !strcmp(b, ".."))
        return dr_error(DR_EIO, "cannot write '%s': it names a directory", path);
    if (strlen(b) >= bsize || dlen >= dsize)
        return dr_error(DR_EIO, "cannot write '%s': file name too long", path);
    if (!slash)
        memcpy(dir, ".", 2);
    else if (dlen == 0)
        memcpy(dir, "/", 2);
    else {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
    }
    memcpy(base, b, strlen(b) + 1);
    return DR_SUCCESS;
}

/* Where the temporary for `path` goes, and whether the target can be replaced at all. */
static int place(const char *path, placement *p)
{
    memset(p, 0, sizeof *p);
    if (!path || !*path)
        return dr_error(DR_EINVAL, "an output needs a file name");
    char where[PATH_MAX];
    if (stat(path, &p->st) == 0) {
        p->exists = 1;
        if (S_ISDIR(p->st.st_mode))
            return dr_error(DR_EIO, "cannot write '%s': it is a directory", path);
        if (!S_ISREG(p->st.st_mode)) {
            p->direct = 1;
            return DR_SUCCESS;
        }
        /* through symlinks: replace the file the link points to, and keep the link */
        if (!realpath(path, where))
            return dr_error(DR_EIO, "cannot write '%s': %s", path, strerror(errno));
    } else if (errno == ENOENT) {
        if (snprintf(where, sizeof where, "%s", path) >= (int)sizeof where)
            return dr_error(DR_EIO, "cannot write '%s': file name too long", path);
    } else {
        return dr_error(DR_EIO, "cannot write '%s': %s", path, strerror(errno));
    }
    char dir[PATH_MAX];
    int st = split(where, dir, sizeof dir, p->base, sizeof p->base);
    if (st)
        return st;
    struct stat ds;
    if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode))
        return dr_error(DR_EIO, "cannot write '%s': directory '%s' does not exist", path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return dr_error(DR_EIO, "cannot write '%s': directory '%s' is not writable: %s", path,
                        dir, strerror(errno));
    if (!realpath(dir, p->dir))
        return dr_error(DR_EIO, "cannot write '%s': %s", path, strerror(errno));
    return DR_SUCCESS;
}

int dr_output_check(const char *path)
{
    placement p;
    return place(path, &p);
}

/* ------------------------------------------------------------------ the stream */

static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
    dr_output *o = cookie;
    if (o->err) {
        errno = o->err;
        return 0;
    }
    size_t allowed = size;
    if (o->fail_after >= 0) {
        unsigned long long room = (unsigned long long)o->fail_after > o->written
                                      ? (unsigned long long)o->fail_after - o->written : 0;
        if (room < allowed)
            allowed = (size_t)room;
    }
    size_t done = 0;
    while (done < allowed) {
        ssize_t k = write(o->fd, buf + done, allowed - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            o->err = k < 0 ? errno : EIO;
            break;
        }
        done += (size_t)k;
    }
    o->written += done;
    if (!o->err && done < size)
        o->err = ENOSPC; /* the test hook's full disk */
    if (o->err) {
        errno = o->err;
        return 0; /* a cookie stream's error return */
    }
    return (ssize_t)size;
}

static int open_stream(dr_output *o)
{
    cookie_io_functions_t io = {.read = NULL, .write = cookie_write, .seek = NULL,
                                .close = NULL};
    o->buffer = malloc(STREAM_BUFFER);
    o->stream = o->buffer ? fopencookie(o, "w", io) : NULL;
    if (!o->stream)
        return dr_error(DR_ENOMEM, "cannot write '%s': out of memory", o->path);
    setvbuf(o->stream, o->buffer, _IOFBF, STREAM_BUFFER);
    return DR_SUCCESS;
}

static long long test_fail_after(void)
{
    const char *s = getenv("DEEPRELAX_TEST_WRITE_FAIL_AFTER");
    if (!s || !*s)
        return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end || v < 0 ? -1 : v;
}

/* Creates the temporary (O_EXCL, so never someone else's file) under a name unique to this
 * process, registered before it exists so that a signal in between cannot leave it behind. */
static int create_temp(dr_output *o, const placement *p)
{
    static atomic_uint counter;
    size_t len = strlen(p->dir) + strlen(p->base) + 64;
    o->temp = malloc(len);
    if (!o->temp)
        return dr_error(DR_ENOMEM, "cannot write '%s': out of memory", o->path);
    for (int attempt = 0; attempt < 100; attempt++) {
        /* a long base name is cut so that the temporary's name stays within NAME_MAX */
        snprintf(o->temp, len, "%s/.%.200s.%ld-%u.tmp", p->dir, p->base, (long)getpid(),
                 atomic_fetch_add(&counter, 1));
        if (strlen(o->temp) >= PATH_MAX)
            return dr_error(DR_EIO, "cannot write '%s': path too long", o->path);
        if ((o->slot = claim_slot(o->temp)) < 0)
            return dr_error(DR_EIO, "cannot write '%s': more than %d outputs open at once",
                            o->path, MAX_PENDING);
        o->fd = open(o->temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd >= 0)
            break;
        int err = errno;
        release_slot(o->slot);
        o->slot = -1;
        if (err != EEXIST)
            return dr_error(DR_EIO, "cannot write '%s': %s", o->path, strerror(err));
    }
    if (o->fd < 0)
        return dr_error(DR_EIO, "cannot write '%s': no free temporary name", o->path);
    /* replacing a file keeps its permissions, as writing into it would */
    if (p->exists)
        fchmod(o->fd, p->st.st_mode & 07777);
    return DR_SUCCESS;
}

static void output_free(dr_output *o)
{
    if (o->stream)
        fclose(o->stream);
    if (o->fd >= 0)
        close(o->fd);
    release_slot(o->slot);
    free(o->buffer);
    free(o->path);
    free(o->target);
    free(o->temp);
    free(o);
}

int dr_output_open(dr_output **out, const char *path)
{
    *out = NULL;
    placement p;
    int st = place(path, &p);
    if (st)
        return st;
    dr_output *o = calloc(1, sizeof *o);
    if (!o)
        return dr_error(DR_ENOMEM, "cannot write '%s': out of memory", path);
    o->fd = o->slot = -1;
    o->fail_after = test_fail_after();
    size_t tlen = strlen(p.dir) + strlen(p.base) + 2;
    o->path = strdup(path);
    o->target = malloc(tlen);
    if (!o->path || !o->target) {
        st = dr_error(DR_ENOMEM, "cannot write '%s': out of memory", path);
    } else if (p.direct) {
        snprintf(o->target, tlen, "%s", path);
        o->fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (o->fd < 0)
            st = dr_error(DR_EIO, "cannot write '%s': %s", path, strerror(errno));
    } else {
        snprintf(o->target, tlen, "%s/%s", p.dir, p.base);
        st = create_temp(o, &p);
    }
    if (!st)
        st = open_stream(o);
    if (st) {
        dr_output_abort(o);
        return st;
    }
    *out = o;
    return DR_SUCCESS;
}

FILE *dr_output_stream(dr_output *o) { return o->stream; }

const char *dr_output_temp_path(const dr_output *o) { return o->temp ? o->temp : o->target; }

const char *dr_output_path(const dr_output *o) { return o->path; }

void dr_output_abort(dr_output *o)
{
    if (!o)
        return;
    if (o->temp && o->fd >= 0)
        unlink(o->temp);
    output_free(o);
}

/* A directory's entry is durable only once the directory itself is synced. */
static void sync_directory(const char *file)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(file, '/');
    if (!slash || (size_t)(slash - file) >= sizeof dir)
        return;
    size_t n = slash == file ? 1 : (size_t)(slash - file);
    memcpy(dir, file, n);
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* best effort: some file systems refuse a directory fsync */
        close(fd);
    }
}

int dr_output_commit(dr_output *o)
{
    if (!o)
        return dr_error(DR_EINVAL, "no output to commit");
    int bad = fflush(o->stream) != 0 || ferror(o->stream);
    int err = o->err ? o->err : (bad ? EIO : 0);
    fclose(o->stream);
    o->stream = NULL;
    if (!err && o->temp && fsync(o->fd) != 0)
        err = errno;
    if (close(o->fd) != 0 && !err && errno != EINTR)
        err = errno;
    o->fd = -1;
    if (!err && o->temp && rename(o->temp, o->target) != 0)
        err = errno;
    if (err) {
        int status = dr_error(DR_EIO, "cannot write '%s': %s", o->path, strerror(err));
        if (o->temp)
            unlink(o->temp);
        output_free(o);
        return status;
    }
    if (o->temp)
        sync_directory(o->target);
    output_free(o);
    return DR_SUCCESS;
}

int dr_output_write_all(const char *path, const void *data, size_t size)
{
    dr_output *o;
    int st = dr_output_open(&o, path);
    if (st)
        return st;
    fwrite(data, 1, size, dr_output_stream(o)); /* a short write is seen by the commit */
    return dr_output_commit(o);
}

/* ------------------------------------------------------------------ a command's files */

/* What an output will be: the existing file's (device, inode), or for a new file its
 * directory's (device, inode) and its name. */
typedef struct {
    dev_t dev;
    ino_t ino;
    const char *name; /* NULL for an existing file */
    int regular;
} identity;

static int identify(const char *path, identity *id)
{
    placement p;
    int st = place(path, &p);
    if (st)
        return st;
    memset(id, 0, sizeof *id);
    if (p.exists) {
        id->dev = p.st.st_dev;
        id->ino = p.st.st_ino;
        id->regular = S_ISREG(p.st.st_mode);
        return DR_SUCCESS;
    }
    struct stat ds;
    if (stat(p.dir, &ds) != 0)
        return dr_error(DR_EIO, "cannot write '%s': %s", path, strerror(errno));
    id->dev = ds.st_dev;
    id->ino = ds.st_ino;
    id->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    id->regular = 1;
    return DR_SUCCESS;
}

static int same(const identity *a, const identity *b)
{
    if (a->dev != b->dev || a->ino != b->ino || !a->regular || !b->regular)
        return 0;
    return (!a->name && !b->name) || (a->name && b->name && !strcmp(a->name, b->name));
}

int dr_output_check_files(const char *const *outputs, size_t n_outputs,
                          const char *const *inputs, size_t n_inputs)
{
    identity *ids = calloc(n_outputs ? n_outputs : 1, sizeof *ids);
    if (!ids)
        return dr_error(DR_ENOMEM, "out of memory");
    int st = DR_SUCCESS;
    for (size_t i = 0; i < n_outputs && !st; i++) {
        if (!outputs[i])
            continue;
        if ((st = identify(outputs[i], &ids[i])))
            break;
        for (size_t j = 0; j < i && !st; j++)
            if (outputs[j] && same(&ids[i], &ids[j]))
                st = dr_error(DR_EINVAL, "'%s' and '%s' are the same file: give each output "
                              "its own name", outputs[j], outputs[i]);
        for (size_t k = 0; k < n_inputs && !st && !ids[i].name; k++) {
            struct stat in;
            if (inputs[k] && stat(inputs[k], &in) == 0 && S_ISREG(in.st_mode) &&
                in.st_dev == ids[i].dev && in.st_ino == ids[i].ino && ids[i].regular)
                st = dr_error(DR_EINVAL, "output '%s' is the input '%s': writing it would "
                              "destroy the input", outputs[i], inputs[k]);
        }
    }
    free(ids);
    return st;
}
