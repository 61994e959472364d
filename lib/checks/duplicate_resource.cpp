// duplicate-resource (MP1006): an object given more than once in the input (same API group, kind,
// namespace and name). `kubectl apply` of the input in order creates the object from the first copy and
// replaces it with each later one, so the last copy is in force and the earlier ones have no effect
// (docs/semantics.md §2.7). The input stage keeps only the last copy (model/apply.h); this check says so,
// at the copy in force, with the replaced copies as related locations.
#include "base/text.h"
#include "checks/check.h"

namespace meshproof::checks {
namespace {

class DuplicateResource final : public Check {
 public:
  DuplicateResource()
      : Check(CheckInfo{
            "duplicate-resource", "MP1006", Severity::Warning,
            "An object is given more than once; the last copy is in force, as with kubectl apply, and the earlier "
            "ones are replaced",
            "Two or more documents define the same object (API group, kind, namespace and name). Applying the input "
            "in order, as kubectl apply does, replaces the object with each later copy, so only the last one takes "
            "effect and every earlier copy is silently discarded. meshproof analyzes the last copy only; the "
            "finding names the copy in force and the replaced ones."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    for (const model::Override& o : ctx.resources.overrides) out.push_back(finding(ctx, o));
  }

 private:
  Finding finding(const Context& ctx, const model::Override& o) const {
    std::vector<std::string> replaced;
    for (const ResourceRef& r : o.overridden) replaced.push_back(ctx.sources.describe(r.loc));
    const size_t copies = o.overridden.size() + 1;
    std::string message = o.kept.display() + " is defined " + std::to_string(copies) +
                          " times; this last copy is in force and replaces the " +
                          (copies == 2 ? "copy at " : "copies at ") + join(replaced) +
                          ", as kubectl apply of the input in order does";
    std::string help =
        "delete the replaced " + std::string(copies == 2 ? "copy" : "copies") +
        ", or give each object its own name if all of them are meant to exist; only this copy takes effect";
    Finding f = make(o.kept, o.kept.loc, std::move(message), std::move(help), "duplicate");
    for (const ResourceRef& r : o.overridden) f.related.push_back(RelatedLocation{"replaced copy", r, r.loc});
    f.properties["copies"] = std::to_string(copies);
    f.properties["replaced"] = join(replaced, "; ");
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_duplicate_resource_check() { return std::make_unique<DuplicateResource>(); }

}  // namespace meshproof::checks
