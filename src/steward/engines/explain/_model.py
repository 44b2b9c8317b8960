"""Loading a model file and telling what kind of model it is (which explainer fits it).

Loading a pickle or joblib file **runs code** from that file: only load files you trust. The
engine loads whatever path it is given; :mod:`steward.services.explain` loads only files
registered in the model registry, whose SHA-256 it checks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from steward.errors import InvalidInput

MODEL_SUFFIXES = (".pkl", ".pickle", ".joblib")
UNREADABLE_MODEL = "{path}: could not be loaded as a scikit-learn model ({problem})"
NOT_A_MODEL = "{path}: holds a {kind}, not a model with predict()"
BAD_MODEL_SUFFIX = "{name}: a model file must end in .pkl, .pickle or .joblib"

Method = Literal["tree", "linear", "permutation"]


def load_model(path: str | Path) -> Any:
    """Unpickle a scikit-learn-compatible model (pickle or joblib). Runs the file's code."""
    import joblib

    target = Path(path)
    if target.suffix.lower() not in MODEL_SUFFIXES:
        raise InvalidInput(BAD_MODEL_SUFFIX.format(name=target.name))
    try:
        model = joblib.load(target)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is bad input
        raise InvalidInput(UNREADABLE_MODEL.format(path=target.name, problem=
                                                   f"{type(exc).__name__}: {exc}")) from None
    if not hasattr(model, "predict"):
        raise InvalidInput(NOT_A_MODEL.format(path=target.name, kind=type(model).__name__))
    return model


@dataclass(frozen=True)
class ModelInfo:
    """What the engine knows about a model without running it."""

    name: str
    module: str
    method: Method
    classifier: bool
    classes: tuple[Any, ...]
    features: tuple[str, ...] | None
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "module": self.module, "method": self.method,
                "classifier": self.classifier, "classes": [_plain(c) for c in self.classes],
                "features": list(self.features) if self.features is not None else None,
                "steps": list(self.steps)}


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


TREE_MODELS = frozenset({
    "DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier",
    "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
    "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "IsolationForest",
    "XGBClassifier", "XGBRegressor", "LGBMClassifier", "LGBMRegressor", "CatBoostClassifier",
    "CatBoostRegressor",
})


def describe_model(model: Any) -> ModelInfo:
    """The model's class, the explainer it gets, whether it classifies, and its features.

    Tree ensembles get SHAP's exact ``TreeExplainer``; linear models (a ``coef_`` and an
    ``intercept_``) the ``LinearExplainer``; anything else, pipelines included, the
    model-agnostic permutation explainer over the raw input columns.
    """
    name = type(model).__name__
    steps: tuple[str, ...] = ()
    if hasattr(model, "steps"):
        steps = tuple(type(step).__name__ for _, step in model.steps)
    if steps:
        method: Method = "permutation"
    elif name in TREE_MODELS:
        method = "tree"
    elif hasattr(model, "coef_") and hasattr(model, "intercept_"):
        method = "linear"
    else:
        method = "permutation"
    classes = tuple(getattr(model, "classes_", ()))
    features = getattr(model, "feature_names_in_", None)
    return ModelInfo(
        name=name, module=type(model).__module__.split(".")[0], method=method,
        classifier=hasattr(model, "predict_proba") and bool(classes), classes=classes,
        features=tuple(str(f) for f in features) if features is not None else None,
        steps=steps)
