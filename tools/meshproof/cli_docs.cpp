#include "cli_docs.h"

#include <iostream>
#include <sstream>

#include "base/text.h"

namespace meshproof::cli {

namespace {

// One flag as the documents need it, read from the CLI11 option.
struct FlagDoc {
  std::vector<std::string> names;    // "-o", "--output"
  std::string value;                 // "" for a flag without value, else e.g. "TEXT"
  std::vector<std::string> choices;  // the values of a CLI::IsMember check
  bool repeatable = false;
  std::string help;
};

struct CommandDoc {
  std::string name, help, footer;
  std::vector<FlagDoc> flags;
  bool takes_paths = false;  // a positional argument: files and directories
};

// "TEXT:{text,json}" (CLI11's type name with its validators' descriptions) → the type and the choices.
void read_type(const std::string& type_name, FlagDoc& f) {
  f.value = type_name.substr(0, type_name.find(':'));
  const size_t open = type_name.find('{'), close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return;
  for (std::string c : split(type_name.substr(open + 1, close - open - 1), ',')) {
    c = std::string(trim(c));
    if (!c.empty()) f.choices.push_back(c);
  }
}

FlagDoc flag_doc(const CLI::Option& o) {
  FlagDoc f;
  for (const std::string& s : o.get_snames()) f.names.push_back("-" + s);
  for (const std::string& l : o.get_lnames()) f.names.push_back("--" + l);
  // A flag expects no value (CLI11's expected(0)); an option expects at least one.
  const bool takes_value = o.get_type_size() != 0 && o.get_expected_max() != 0;
  if (takes_value) read_type(o.get_type_name(), f);
  if (f.value.empty() && takes_value) f.value = "VALUE";
  f.repeatable = o.get_items_expected_max() > 1;
  f.help = o.get_description();
  return f;
}

std::vector<CommandDoc> commands(const CLI::App& app) {
  std::vector<CommandDoc> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    CommandDoc c{sub->get_name(), sub->get_description(), sub->get_footer(), {}, false};
    for (const CLI::Option* o : sub->get_options()) {
      if (o->nonpositional())
        c.flags.push_back(flag_doc(*o));
      else
        c.takes_paths = true;
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The first sentence of a help text (completion menus show one line).
std::string first_sentence(const std::string& help) {
  const size_t end = help.find_first_of(";\n");
  std::string s = help.substr(0, end);
  return s.size() > 100 ? s.substr(0, 97) + "..." : s;
}

// ---- man page ----

// Text for roff within a line: backslashes and hyphens escaped.
std::string roff_inline(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\\' ? std::string("\\e") : c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// Lines of text for roff: escaped, none starting with a control character, ending with a newline.
std::string roff(const std::string& text) {
  std::string result;
  for (const std::string& line : split(trim(text), '\n')) {
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) result += "\\&";
    result += roff_inline(line) + "\n";
  }
  return result;
}

void man_flags(std::ostringstream& m, const CommandDoc& c) {
  for (const FlagDoc& f : c.flags) {
    m << ".TP\n";
    std::vector<std::string> names;
    for (const std::string& n : f.names) names.push_back("\\fB" + roff_inline(n) + "\\fR");
    m << join(names, ", ");
    if (!f.value.empty()) m << " \\fI" << (f.choices.empty() ? f.value : join(f.choices, "|")) << "\\fR";
    m << "\n" << roff(f.help + (f.repeatable ? " (repeatable)" : ""));
  }
}

std::string man_footer(const std::string& footer) {
  if (footer.empty()) return "";
  return ".PP\n.nf\n" + roff(footer) + ".fi\n";
}

}  // namespace

std::string man_page(const CLI::App& app) {
  std::ostringstream m;
  m << ".TH MESHPROOF 1 \"\" \"meshproof " << MESHPROOF_VERSION << "\" \"User Commands\"\n"
    << ".SH NAME\nmeshproof \\- prove what Istio security configuration does before it is applied\n"
    << ".SH SYNOPSIS\n.B meshproof\n.I COMMAND\n[\\fIOPTIONS\\fR] [\\fIPATHS\\fR...]\n"
    << ".br\n.B meshproof help\n[\\fICOMMAND\\fR]\n.br\n.B meshproof \\-\\-version\n"
    << ".SH DESCRIPTION\n"
    << roff(app.get_description()) << ".SH COMMANDS\n";
  for (const CommandDoc& c : commands(app)) {
    m << ".SS \"meshproof " << c.name << (c.takes_paths ? " PATHS..." : "") << "\"\n" << roff(c.help);
    man_flags(m, c);
    m << man_footer(c.footer);
  }
  m << ".SH PROFILES\n"
    << roff(
           "--profile NAME (hipaa, pci-dss-4, soc2, nist-800-207, default) is looked up, when NAME is not a file, "
           "in ../rules beside the binary's directory (a build in a checkout) and then in "
           "../share/meshproof/profiles (an installed binary: /usr/share/meshproof/profiles).")
    << ".SH EXAMPLES\n.nf\n"
    << roff(app.get_footer()) << ".fi\n"
    << ".SH \"SEE ALSO\"\n"
    << roff(
           "The docs/ folder of the meshproof repository: docs/checks/ (every check), "
           "docs/output.md, docs/profiles.md, docs/ci.md.");
  return m.str();
}

namespace {

// ---- completions ----

std::string shell_quoted(const std::string& s) {  // single-quoted for bash, zsh and fish
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> command_names(const std::vector<CommandDoc>& cmds) {
  std::vector<std::string> names{"help"};
  for (const CommandDoc& c : cmds) names.push_back(c.name);
  return names;
}

std::string bash_command_case(const CommandDoc& c) {
  std::ostringstream b;
  std::vector<std::string> all, with_value;
  b << "    " << c.name << ")\n      case \"$prev\" in\n";
  for (const FlagDoc& f : c.flags) {
    all.insert(all.end(), f.names.begin(), f.names.end());
    if (f.value.empty()) continue;
    if (f.choices.empty())
      with_value.insert(with_value.end(), f.names.begin(), f.names.end());
    else
      b << "        " << join(f.names, "|") << ") COMPREPLY=($(compgen -W " << shell_quoted(join(f.choices, " "))
        << " -- \"$cur\")); return ;;\n";
  }
  if (!with_value.empty())
    b << "        " << join(with_value, "|") << ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  b << "      esac\n      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W " << shell_quoted(join(all, " "))
    << " -- \"$cur\"))\n      else COMPREPLY=($(compgen -f -- \"$cur\")); fi ;;\n";
  return b.str();
}

std::string bash_script(const std::vector<CommandDoc>& cmds) {
  std::ostringstream b;
  b << "# bash completion for meshproof (written by `meshproof __complete bash` from its CLI definition)\n"
    << "_meshproof() {\n  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' i\n"
    << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
    << "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n  done\n"
    << "  case $cmd in\n    '') COMPREPLY=($(compgen -W "
    << shell_quoted(join(command_names(cmds), " ") + " --help --version")
    << " -- \"$cur\")) ;;\n    help) COMPREPLY=($(compgen -W " << shell_quoted(join(command_names(cmds), " "))
    << " -- \"$cur\")) ;;\n";
  for (const CommandDoc& c : cmds) b << bash_command_case(c);
  b << "  esac\n}\ncomplete -o filenames -o bashdefault -F _meshproof meshproof\n";
  return b.str();
}

// zsh's _arguments spec of one flag name: '--output=[Output format]:TEXT:(text json)'.
std::string zsh_spec(const FlagDoc& f, const std::string& name) {
  std::string help = first_sentence(f.help);
  std::string escaped;
  for (char c : help) escaped += (c == '[' || c == ']' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  std::string spec = (f.repeatable ? "*" : "") + name;
  if (!f.value.empty() && name.rfind("--", 0) == 0) spec += "=";
  spec += "[" + escaped + "]";
  if (!f.value.empty())
    spec += ":" + f.value + ":" + (f.choices.empty() ? std::string("_files") : "(" + join(f.choices, " ") + ")");
  return shell_quoted(spec);
}

std::string zsh_script(const std::vector<CommandDoc>& cmds) {
  std::ostringstream z;
  z << "#compdef meshproof\n# zsh completion for meshproof (written by `meshproof __complete zsh` from its CLI "
       "definition)\n_meshproof() {\n  local curcontext=$curcontext state line\n  local -a commands\n"
    << "  commands=(\n    'help:Print the help of meshproof or of a command'\n";
  for (const CommandDoc& c : cmds) z << "    " << shell_quoted(c.name + ":" + first_sentence(c.help)) << "\n";
  z << "  )\n  _arguments -C '(- *)--help[Print help]' '(- *)--version[Print the version]' '1: :->command' "
       "'*:: :->args' && return\n  case $state in\n    command) _describe -t commands 'meshproof command' commands ;;\n"
    << "    args)\n      case $line[1] in\n        help) _describe -t commands 'meshproof command' commands ;;\n";
  for (const CommandDoc& c : cmds) {
    z << "        " << c.name << ") _arguments -s";
    for (const FlagDoc& f : c.flags)
      for (const std::string& n : f.names) z << " \\\n            " << zsh_spec(f, n);
    if (c.takes_paths) z << " \\\n            '*:path:_files'";
    z << " ;;\n";
  }
  z << "      esac ;;\n  esac\n}\n_meshproof \"$@\"\n";
  return z.str();
}

std::string fish_script(const std::vector<CommandDoc>& cmds) {
  std::ostringstream f;
  f << "# fish completion for meshproof (written by `meshproof __complete fish` from its CLI definition)\n"
    << "complete -c meshproof -f\n"
    << "complete -c meshproof -n __fish_use_subcommand -l help -d 'Print help'\n"
    << "complete -c meshproof -n __fish_use_subcommand -l version -d 'Print the version'\n"
    << "complete -c meshproof -n __fish_use_subcommand -a help -d 'Print the help of meshproof or of a command'\n"
    << "complete -c meshproof -n '__fish_seen_subcommand_from help' -a " << shell_quoted(join(command_names(cmds), " "))
    << "\n";
  for (const CommandDoc& c : cmds) {
    const std::string when = " -n " + shell_quoted("__fish_seen_subcommand_from " + c.name);
    f << "complete -c meshproof -n __fish_use_subcommand -a " << c.name << " -d "
      << shell_quoted(first_sentence(c.help)) << "\n";
    if (c.takes_paths) f << "complete -c meshproof" << when << " -F\n";
    for (const FlagDoc& fl : c.flags) {
      f << "complete -c meshproof" << when;
      for (const std::string& n : fl.names) f << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
      if (!fl.choices.empty())
        f << " -x -a " << shell_quoted(join(fl.choices, " "));
      else if (!fl.value.empty())
        f << " -r -F";
      f << " -d " << shell_quoted(first_sentence(fl.help)) << "\n";
    }
  }
  return f.str();
}

}  // namespace

std::string completion_script(const CLI::App& app, const std::string& shell) {
  const std::vector<CommandDoc> cmds = commands(app);
  if (shell == "bash") return bash_script(cmds);
  if (shell == "zsh") return zsh_script(cmds);
  if (shell == "fish") return fish_script(cmds);
  return "";
}

std::optional<int> cli_docs_command(const CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  if (args[0] == "__man" && args.size() == 1) {
    std::cout << man_page(app);
    return 0;
  }
  if (args[0] != "__complete") return std::nullopt;
  const std::string script = args.size() == 2 ? completion_script(app, args[1]) : "";
  if (script.empty()) {
    std::cerr << "meshproof: error: usage: meshproof __complete bash|zsh|fish\n";
    return 2;
  }
  std::cout << script;
  return 0;
}

}  // namespace meshproof::cli
