#!/usr/bin/python3
# %% [markdown]
# # Learning a soft rule with tl, from Python
#
# A TensorLogic rule is a tensor equation. Here a soft rule recommends an
# item z to a person x when x knows someone y who likes z:
#
#     recommends(x, z) = sigmoid(4 * sum_y knows(x, y) likes(y, z) - 2)
#
# We observe `recommends` (targets made from a hidden 0/1 `knows`) and
# learn `knows` by gradient descent through the compiled rule. Run it as a
# script (`PYTHONPATH=build/python python3 examples/python/learn_rule.py`)
# or cell by cell in a notebook: each `# %%` starts a cell.

# %%
import numpy as np

import tl

rng = np.random.default_rng(7)
people, items = 8, 6
hidden_knows = (rng.random((people, people)) < 0.4).astype(float)
likes = 0.5 * (rng.random((people, items)) - 0.5) + np.eye(people, items)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# The targets come from NumPy, not from tl.
target = sigmoid(4 * hidden_knows @ likes - 2)

# %% [markdown]
# The rule and its squared error, as a TensorLogic graph in the
# EinsumGraph layout (a dict, as the Rust compiler writes it in JSON):
# the join is an einsum, the rule a nonlinearity of it.

# %%
graph = {
    "tensors": ["knows[ab]", "likes[bc]", "join[ac]", "const_4", "scaled", "const_2",
                "shifted", "recommends[ac]", "target[ac]", "error", "squared", "loss"],
    "nodes": [
        {"op": {"Einsum": {"spec": "ab,bc->ac"}}, "inputs": [0, 1], "outputs": [2]},
        {"op": {"ElemBinary": {"op": "multiply"}}, "inputs": [2, 3], "outputs": [4]},
        {"op": {"ElemBinary": {"op": "subtract"}}, "inputs": [4, 5], "outputs": [6]},
        {"op": {"ElemUnary": {"op": "sigmoid"}}, "inputs": [6], "outputs": [7]},
        {"op": {"ElemBinary": {"op": "subtract"}}, "inputs": [7, 8], "outputs": [9]},
        {"op": {"ElemBinary": {"op": "multiply"}}, "inputs": [9, 9], "outputs": [10]},
        {"op": {"Einsum": {"spec": "ac->"}}, "inputs": [10], "outputs": [11]},
    ],
    "inputs": [],
    "outputs": [11, 7],
}

# Compiled once for these shapes; the gradient is compiled on first use.
rule = tl.compile(graph, shapes={"knows": (people, people), "likes": (people, items),
                                 "target": (people, items)})
print(rule)

# %% [markdown]
# Gradient descent on the entries of `knows`. `grad` runs the forward and
# backward pass in one call and returns d(loss)/d(knows); the cotangent of
# the second output (`recommends`) is zero, so only the loss is
# differentiated.

# %%
knows = np.zeros((people, people))
inputs = {"knows": knows, "likes": likes, "target": target}
no_recommends = {"recommends[ac]": np.zeros((people, items))}
steps, rate = 150, 0.2
initial = float(rule(**inputs)["loss"])
for step in range(steps + 1):
    outputs, grads = rule.grad(inputs, wrt="knows", cotangents=no_recommends,
                               with_outputs=True)
    loss = float(outputs["loss"])
    if step % 25 == 0:
        print(f"step {step:3d}: loss {loss:.6f}")
    knows -= rate * grads["knows"]  # in place: `inputs` sees the update

# %% [markdown]
# The learned rule reproduces the observed facts.

# %%
learned = rule(**inputs)["recommends[ac]"]
print("max |recommends - target| =", float(np.abs(learned - target).max()))
if loss < 0.01 * initial:
    print("converged: loss fell below 1% of its initial value")
else:
    raise SystemExit(f"did not converge: loss {loss} from {initial}")
