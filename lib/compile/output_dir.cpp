// Writing compile's output directory atomically: every file goes into a fresh sibling directory, which is
// then renamed into place, so that a failure never leaves a half-written table set behind.
#include "compile/output_dir.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace meshproof::compile {

namespace fs = std::filesystem;

// Writes every file into a fresh sibling directory, then renames it into place. An existing DIR is
// replaced only when it is a previous meshproof output (it holds manifest.json) or empty.
bool write_output_dir(const std::string& out, const CompileResult& res, OutputFormat format, std::string& error) {
  std::error_code ec;
  fs::path target = fs::absolute(out, ec);
  fs::path parent = target.parent_path();
  if (!fs::is_directory(parent, ec)) {
    error = "cannot write '" + out + "': the parent directory does not exist";
    return false;
  }
  if (fs::exists(target, ec)) {
    bool replaceable =
        fs::is_directory(target, ec) && (fs::exists(target / "manifest.json", ec) || fs::is_empty(target, ec));
    if (!replaceable) {
      error = "'" + out + "' exists and is not a meshproof output directory (choose another --out, or remove it)";
      return false;
    }
  }
  std::string suffix = std::to_string(getpid()) + "-" + std::to_string(std::random_device{}());
  fs::path tmp = parent / ("." + target.filename().string() + ".meshproof-tmp-" + suffix);
  fs::create_directories(tmp, ec);
  if (ec) {
    error = "cannot create '" + tmp.string() + "': " + ec.message();
    return false;
  }
  auto cleanup = [&] { fs::remove_all(tmp, ec); };
  auto write = [&](const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    return static_cast<bool>(f);
  };
  for (const auto& t : res.tables)
    if (!write(tmp / t.file, t.text)) {
      error = "writing '" + (tmp / t.file).string() + "' failed";
      cleanup();
      return false;
    }
  if (!write(tmp / "manifest.json", manifest_text(res, format))) {
    error = "writing the manifest failed";
    cleanup();
    return false;
  }
  fs::path old;
  if (fs::exists(target, ec)) {
    old = parent / ("." + target.filename().string() + ".meshproof-old-" + suffix);
    fs::rename(target, old, ec);
    if (ec) {
      error = "cannot replace '" + out + "': " + ec.message();
      cleanup();
      return false;
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    error = "cannot move the output into '" + out + "': " + ec.message();
    if (!old.empty()) fs::rename(old, target, ec);
    cleanup();
    return false;
  }
  if (!old.empty()) fs::remove_all(old, ec);
  return true;
}

}  // namespace meshproof::compile
