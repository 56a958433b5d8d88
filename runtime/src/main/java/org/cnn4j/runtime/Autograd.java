package org.cnn4j.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse-mode engine: walks the graph from a tensor back to its leaves in reverse topological
 * order, applying each node's chain rule once, summing the gradients that reach a tensor along several
 * paths, and accumulating into the {@code grad} of leaves that require it ({@code grad += dL/dleaf}).
 *
 * <p>Gradient intermediates are closed as soon as the last node that needs them has run; a node's
 * saved tensors are released after its backward unless the graph is retained.
 */
final class Autograd {
    private Autograd() {
    }

    /** True when an op with these inputs must record a node: recording is on and some input requires grad. */
    static boolean recording(Tensor... inputs) {
        if (!NoGrad.isGradEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    static void backward(Tensor root, Tensor gradRoot, boolean retainGraph) {
        Node rootNode = root.gradFn();
        if (rootNode == null) {
            root.accumulateGrad(gradRoot);
            return;
        }
        List<Node> order = reverseTopologicalOrder(rootNode);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        Map<Tensor, Integer> uses = new IdentityHashMap<>();
        pending.put(rootNode, gradRoot);
        // In anomaly mode the ops run here are checked as each node's gradients, not one by one.
        try (NoGrad off = NoGrad.enter(); Scope scope = Scope.open(); Anomaly.Frame quiet = Anomaly.quiet()) {
            for (Node node : order) {
                Tensor g = pending.remove(node);
                if (g == null) {
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] grads = node.backward(g);
                if (grads.length != inputs.length) {
                    throw new IllegalStateException(node.name() + ".backward: must return " + inputs.length
                            + " gradients, but returned " + grads.length);
                }
                if (Anomaly.enabled) {
                    Anomaly.checkBackward(node, g, grads, inputs);
                }
                for (int i = 0; i < inputs.length; i++) {
                    deliver(node, inputs[i], grads[i], pending, uses, ownedHere(grads, i, g, gradRoot, scope));
                }
                if (g != gradRoot && drop(g, uses)) {
                    g.close();
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        }
    }

    /**
     * Whether {@code grads[i]} is a tensor this backward pass made and nothing else holds: created in the pass's scope,
     * not the node's incoming gradient or the caller's root gradient, and not returned for another input too. A leaf
     * may then adopt it as its {@code grad} instead of copying it.
     */
    private static boolean ownedHere(Tensor[] grads, int i, Tensor incoming, Tensor gradRoot, Scope scope) {
        Tensor t = grads[i];
        if (t == null || t == incoming || t == gradRoot || t.owner() != scope) {
            return false;
        }
        for (int j = 0; j < grads.length; j++) {
            if (j != i && grads[j] == t) {
                return false;
            }
        }
        return true;
    }

    private static void deliver(Node node, Tensor input, Tensor grad, Map<Node, Tensor> pending, Map<Tensor, Integer> uses,
                                boolean adoptable) {
        if (grad == null || input == null || !input.requiresGrad()) {
            return;
        }
        if (!grad.shape().equals(input.shape())) {
            throw new IllegalStateException(node.name() + ".backward: gradient must have the input's shape "
                    + input.shape() + ", but got " + grad.shape());
        }
        Node producer = input.gradFn();
        if (producer == null) {
            input.accumulateGrad(grad, adoptable && !uses.containsKey(grad));
            return;
        }
        Tensor previous = pending.get(producer);
        Tensor sum = previous == null ? grad : previous.add(grad);
        if (previous != null && drop(previous, uses)) {
            previous.close();
        }
        uses.merge(sum, 1, Integer::sum);
        pending.put(producer, sum);
    }

    /** Counts one use of {@code t} gone; true when none is left. */
    private static boolean drop(Tensor t, Map<Tensor, Integer> uses) {
        Integer n = uses.get(t);
        if (n == null || n <= 1) {
            uses.remove(t);
            return true;
        }
        uses.put(t, n - 1);
        return false;
    }

    /** Nodes reachable from {@code root}, each after every node that feeds it a gradient. */
    private static List<Node> reverseTopologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            Tensor[] inputs = node.inputs();
            int next = (Integer) frame[1];
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor in = inputs[next];
                Node child = in == null ? null : in.gradFn();
                if (child != null && visited.add(child)) {
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
